// `npm test`: build, then unit (plain Node), integration (real engine) and e2e (code-server +
// headless Chromium) tests in one command. Prints one final line "N passed, N failed".
// `node scripts/test.mjs unit integration` runs only the named phases.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ensureDependencies } from './bootstrap.mjs';
import { ensureEngine } from './engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const allPhases = ['unit', 'integration', 'e2e'];
const requested = process.argv.slice(2).filter((arg) => allPhases.includes(arg));
const phases = requested.length ? requested : allPhases;
const totals = { passed: 0, failed: 0 };
/** @type {string[]} */
const timings = [];

/** What Prettier keeps formatted (package.json `npm run format` writes the same). */
const formatted = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.{mjs,js}', 'scripts/**/*.mjs', 'eslint.config.mjs'];

/** @param {string} folder @returns {string[]} */
function testFiles(folder) {
  const dir = join(root, 'out', 'test', folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
    .map((file) => join(dir, file));
}

/**
 * @template T
 * @param {string} name
 * @param {() => Promise<T> | T} fn
 * @returns {Promise<T>}
 */
async function timed(name, fn) {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Runs mocha in this process; skipped tests count as failures (none may hide in CI).
 * @param {string} label
 * @param {string[]} files
 * @param {number} timeout
 */
async function runMocha(label, files, timeout) {
  if (files.length === 0) {
    console.error(`[test] ${label}: no test files found`);
    totals.failed++;
    return;
  }
  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout, forbidOnly: true, color: process.stdout.isTTY });
  files.forEach((file) => mocha.addFile(file));
  await mocha.loadFilesAsync();
  const stats = await new Promise((done) => {
    const runner = mocha.run(() => done(runner.stats));
  });
  if (stats.pending) console.error(`[test] ${label}: ${stats.pending} skipped test(s) count as failed`);
  totals.passed += stats.passes;
  totals.failed += stats.failures + stats.pending;
}

function build() {
  console.log('[test] building (esbuild) and type-checking (tsc)');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'scripts')], { stdio: 'inherit', cwd: root });
  // The graphs webview runs in a browser (DOM types): its own project, checked here.
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'src', 'ui', 'metrics', 'webview')], {
    stdio: 'inherit',
    cwd: root,
  });
  lint();
}

/** The guardrails: ESLint with no warning allowed (layer rules, sizes) and Prettier's formatting. */
function lint() {
  console.log('[test] lint (eslint --max-warnings 0) and format check (prettier)');
  execFileSync(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--max-warnings', '0', '.'], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '--log-level', 'warn', ...formatted], {
    stdio: 'inherit',
    cwd: root,
  });
}

async function main() {
  /** @type {Awaited<ReturnType<typeof ensureEngine>> | undefined} */
  let engine;
  const stopEngine = async () => {
    const current = engine;
    engine = undefined;
    await current?.stop();
  };
  // The audit trail and the metrics history of the test run (every front end writes them) go to
  // a folder of the run, never to the user's own state folder; removed at the end.
  const stateDir = process.env.AICLI_STATE_DIR ? undefined : mkdtempSync(join(tmpdir(), 'aicli-test-state-'));
  if (stateDir) process.env.AICLI_STATE_DIR = stateDir;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => stopEngine().finally(() => process.exit(130)));
  }
  try {
    await timed('dependencies', () => ensureDependencies(root));
    await timed('build', build);
    if (phases.includes('unit')) await timed('unit', () => runMocha('unit', testFiles('unit'), 10_000));
    if (phases.some((phase) => phase !== 'unit')) {
      engine = await timed('engine', () => ensureEngine({ log: (line) => console.log(line) }));
    }
    if (phases.includes('integration')) await timed('integration', () => runMocha('integration', testFiles('integration'), 60_000));
    if (phases.includes('e2e')) {
      const harness = require(join(root, 'out', 'test', 'e2e', 'harness.js'));
      await timed('e2e host', async () => {
        const workspaceFolder = harness.makeTempDir('acw-');
        cpSync(join(root, 'test', 'fixtures', 'sample-project'), workspaceFolder, { recursive: true });
        const result = await harness.runExtensionHostTests({
          workspaceFolder,
          testsEntry: join(root, 'out', 'test', 'e2e', 'host', 'index.js'),
          env: { AICLI_TEST_RUN: `e2e-host-${process.pid}` },
          timeoutMs: 600_000,
        });
        for (const failure of result.failures) console.error(`[test] e2e host FAILED: ${failure.title}\n${failure.error}`);
        totals.passed += result.passed;
        totals.failed += result.failed;
        harness.removeDir(workspaceFolder);
      });
      await timed('e2e ui', () => runMocha('e2e ui', testFiles(join('e2e', 'ui')), 120_000));
    }
  } catch (err) {
    console.error(`[test] ${err instanceof Error ? err.message : err}`);
    totals.failed++;
  } finally {
    await stopEngine();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
  console.log(`[test] timings: ${timings.join(', ')}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed ? 1 : 0);
}

await main();
