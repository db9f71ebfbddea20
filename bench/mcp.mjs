// bench/mcp: the round trip of one trivial command (`true`) in a workspace, three ways, in one
// run against one workspace: a tools/call of workspace_exec through `aicli-ws mcp` (the SDK's
// stdio client; the server keeps its engine connection), `aicli-ws exec NAME -- true` (a CLI
// process each time), and `docker exec CONTAINER true` (the docker CLI, the baseline). The
// modes rotate from round to round so none always follows another; medians and p90s are
// printed with ratios against docker exec. Goal: MCP <= 1.0x docker exec.
//
// The workspace (a fresh folder, `standard`) is labelled aicli.bench=true and removed at the
// end, on failure too. Before the rounds it waits (up to 15 min) until the 1-minute load is at
// most --max-load: other sessions test on the same 2 cores.
//
//   node bench/mcp.mjs [--rounds 30] [--max-load 1.5] [--no-compile]
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    'max-load': { type: 'string', default: '1.5' },
    'no-compile': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const MAX_LOAD = Number(args['max-load']);
const cli = join(root, 'dist', 'cli.js');
if (!args['no-compile']) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
const { Client } = require(join(root, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'cjs', 'client', 'index.js'));
const { StdioClientTransport } = require(join(root, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'cjs', 'client', 'stdio.js'));

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
const p90 = (values) => sorted(values)[Math.ceil(values.length * 0.9) - 1];

async function waitForQuiet() {
  const until = Date.now() + 15 * 60_000;
  while (loadavg()[0] > MAX_LOAD && Date.now() < until) {
    console.error(`[bench] 1-minute load ${loadavg()[0].toFixed(2)} > ${MAX_LOAD}; waiting`);
    await sleep(15_000);
  }
}

const engine = await ensureEngine({ log: (line) => console.error(line) });
const env = { ...process.env, DOCKER_HOST: engine.host };
const folder = mkdtempSync(join(tmpdir(), 'aicli-bench-mcp-'));
const name = `bench-mcp-${process.pid}`;
let client;
try {
  const created = await run(process.execPath, [cli, 'create', '--folder', folder, '--name', name, '--label', 'aicli.bench=true', '--json'], { env });
  const containerId = JSON.parse(created.stdout).containerId;
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--folder-root', folder], env, stderr: 'ignore' });
  client = new Client({ name: 'bench-mcp', version: '1.0.0' });
  await client.connect(transport);

  const modes = {
    mcp: async () => {
      const result = await client.callTool({ name: 'workspace_exec', arguments: { workspace: name, command: 'true' } });
      if (result.isError || result.structuredContent?.exitCode !== 0) throw new Error(`mcp: ${JSON.stringify(result.content)}`);
    },
    'aicli-ws exec': () => run(process.execPath, [cli, 'exec', name, '--', 'true'], { env }),
    'docker exec': () => run('docker', ['exec', containerId, 'true'], { env }),
  };
  const entries = Object.entries(modes);
  for (const [, once] of entries) for (let i = 0; i < 3; i++) await once(); // warm-up
  await waitForQuiet();
  const loadBefore = loadavg()[0];
  const times = Object.fromEntries(entries.map(([mode]) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < entries.length; i++) {
      const [mode, once] = entries[(i + round) % entries.length];
      const started = performance.now();
      await once();
      times[mode].push(performance.now() - started);
    }
  }
  const baseline = median(times['docker exec']);
  console.log(`bench/mcp — ${new Date().toISOString()} — ${ROUNDS} rounds, load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  console.log('| what | median | p90 | vs docker exec |');
  console.log('| --- | --- | --- | --- |');
  for (const [mode, values] of Object.entries(times)) {
    console.log(`| ${mode} | ${median(values).toFixed(1)} ms | ${p90(values).toFixed(1)} ms | ${(median(values) / baseline).toFixed(2)}× |`);
  }
  const ratio = median(times.mcp) / baseline;
  console.log(`MCP exec round trip ${ratio.toFixed(2)}× docker exec (goal <= 1.0×: ${ratio <= 1 ? 'met' : 'NOT met'})`);
} finally {
  await client?.close().catch(() => undefined);
  await run(process.execPath, [cli, 'rm', name, '--force'], { env }).catch((err) => console.error(`[bench] cleanup: ${err.stderr ?? err}`));
  rmSync(folder, { recursive: true, force: true });
}
