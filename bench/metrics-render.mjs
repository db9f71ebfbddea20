// bench/metrics-render: how long the graphs webview takes to draw 1 h at 1 s (3,600 points in
// each of its 5 charts, 8 lines), measured in the page with performance.now() from setData to
// the last chart drawn — the number the webview itself reports back to the extension.
//
// The page is the panel's own: metricsHtml() with its CSP, the dist/metrics-webview.js bundle
// (uPlot), in the same headless Chromium the e2e tests use, served from a loopback HTTP server
// (no VS Code around it: acquireVsCodeApi is a stub that collects what the page posts). The hour
// is a real history: 3,600 synthetic samples written through MetricsHistory into a temp folder,
// read back with series('1h') and shaped by seriesPayload(), as the panel does.
//
// Per round, in a fresh page: the first draw (builds the five uPlot charts: cold), the same
// payload again (setData only: warm), then 30 live rows one by one (append, trim, setData).
// Goal: the first draw < 100 ms.
//
//   node bench/metrics-render.mjs [--rounds 5] [--no-compile]
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'no-compile': { type: 'boolean', default: false } } });

if (!args['no-compile']) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit', cwd: root });
}
const { MetricsHistory } = require(join(root, 'out', 'src', 'monitor', 'history', 'history.js'));
const { seriesPayload, liveRow } = require(join(root, 'out', 'src', 'ui', 'metrics', 'chartData.js'));
const { metricsHtml } = require(join(root, 'out', 'src', 'ui', 'metrics', 'metricsHtml.js'));
const { launchBrowser, newPage } = require(join(root, 'out', 'test', 'e2e', 'lib', 'browser.js'));

/** @param {number} at @param {number} index */
function sample(at, index) {
  return {
    at,
    cpuPercent: 50 + 45 * Math.sin(index / 120),
    memoryBytes: (200 + 100 * Math.sin(index / 600)) * 2 ** 20,
    memoryLimitBytes: 512 * 2 ** 20,
    pids: 3 + (index % 7),
    netRxBytes: index * 40_000,
    netTxBytes: index * 15_000,
    netRxPackets: index * 30,
    netTxPackets: index * 12,
    blockReadBytes: index * 1000,
    blockWriteBytes: index * 20_000,
  };
}

/** The hour as the panel would send it, and the samples after it (for live rows). */
function hourPayload() {
  const dir = mkdtempSync(join(tmpdir(), 'aicli-bench-metrics-'));
  const history = new MetricsHistory({ dir });
  const workspace = { id: 'benchrender1', name: 'bench' };
  const now = Date.now();
  try {
    for (let index = 0; index < 3600; index++) history.record(workspace, sample(now - (3600 - index) * 1000, index));
    return { payload: seriesPayload(history.series(workspace.id, '1h', now - 1)), last: sample(now - 1000, 3599), now };
  } finally {
    history.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @param {number[]} values @param {number} q */
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;

function serve() {
  const origin = { value: '' };
  const html = () =>
    metricsHtml({
      cspSource: origin.value,
      scriptUri: `${origin.value}/dist/metrics-webview.js`,
      styleUri: `${origin.value}/dist/metrics-webview.css`,
      title: 'Metrics of bench',
    });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/') return void response.writeHead(200, { 'content-type': 'text/html' }).end(html());
    if (path === '/dist/metrics-webview.js' || path === '/dist/metrics-webview.css') {
      const type = path.endsWith('.js') ? 'text/javascript' : 'text/css';
      return void response.writeHead(200, { 'content-type': type }).end(readFileSync(join(root, path)));
    }
    response.writeHead(404).end();
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      origin.value = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
      done({ server, url: `${origin.value}/` });
    }),
  );
}

/** Posts a message to the page as the extension would and waits for the render report it causes. */
async function render(page, message) {
  return page.evaluate(async (posted) => {
    const before = globalThis.__reports.length;
    globalThis.postMessage(posted, '*');
    const deadline = Date.now() + 10_000;
    while (globalThis.__reports.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    return globalThis.__reports[globalThis.__reports.length - 1];
  }, message);
}

async function main() {
  const rounds = Number(args.rounds);
  const { payload, last, now } = hourPayload();
  const status = { workspace: 'bench', live: true, recording: true };
  const { server, url } = await serve();
  const browser = await launchBrowser();
  const results = { cold: [], warm: [], live: [] };
  let violations = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const page = await newPage(browser);
      await page.addInitScript(() => {
        globalThis.__reports = [];
        globalThis.acquireVsCodeApi = () => ({
          postMessage: (message) => message.type === 'rendered' && globalThis.__reports.push(message),
          getState: () => undefined,
          setState: () => undefined,
        });
      });
      await page.goto(url);
      const cold = await render(page, { type: 'series', payload, status });
      if (cold.points !== payload.times.length) throw new Error(`drew ${cold.points} points, not ${payload.times.length}`);
      results.cold.push(cold.ms);
      results.warm.push((await render(page, { type: 'series', payload, status })).ms);
      let previous = last;
      for (let second = 1; second <= 30; second++) {
        const next = sample(now + (second - 1) * 1000, 3599 + second);
        results.live.push((await render(page, { type: 'rows', rows: [liveRow(previous, next)] })).ms);
        previous = next;
      }
      violations += (await render(page, { type: 'series', payload, status })).cspViolations;
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const line = (label, values) =>
    `| ${label} | ${quantile(values, 0.5).toFixed(1)} | ${quantile(values, 0.9).toFixed(1)} | ${Math.max(...values).toFixed(1)} |`;
  console.log(`bench/metrics-render: ${payload.times.length} points × 5 charts, ${rounds} rounds, load ${loadavg()[0].toFixed(2)}`);
  console.log('| draw | median ms | p90 ms | max ms |\n| --- | --- | --- | --- |');
  console.log(line('first (builds the charts)', results.cold));
  console.log(line('again (setData)', results.warm));
  console.log(line('a live row (append + setData)', results.live));
  console.log(`CSP violations: ${violations}`);
  const met = quantile(results.cold, 0.5) < 100;
  console.log(`goal: first draw of 1 h at 1 s < 100 ms: ${met ? 'met' : 'NOT met'}`);
  process.exit(met ? 0 : 1);
}

await main();
