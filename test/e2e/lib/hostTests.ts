// Runs a mocha suite inside the code-server extension host and collects its results.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { launchBrowser, newPage } from './browser';
import { startCodeServer } from './codeServer';
import { makeTempDir, removeDir } from './paths';

export const RESULTS_ENV = 'AICLI_E2E_RESULTS';

export interface TestFailure {
  title: string;
  error: string;
}
export interface HostTestResults {
  passed: number;
  failed: number;
  failures: TestFailure[];
}

export interface HostTestOptions {
  workspaceFolder: string;
  /** Absolute path to the compiled suite index.js (exports run(): Promise<void>). */
  testsEntry: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Workbench (renderer) log lines that share the channel with the extension host's console. */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
];

function printHostLog(level: unknown, args: unknown): void {
  const line = util.format(...(Array.isArray(args) ? args : [args]));
  if (level === 'info' && !process.env.AICLI_E2E_VERBOSE && WORKBENCH_NOISE.some((re) => re.test(line))) return;
  console.log(line);
}

type Outcome = { kind: 'exit'; code: number } | { kind: 'timeout' };

function readResults(file: string): HostTestResults | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<HostTestResults>;
    return { passed: raw.passed ?? 0, failed: raw.failed ?? 0, failures: raw.failures ?? [] };
  } catch (err) {
    return failure('reading results', `${file}: ${String(err)}`);
  }
}

function failure(title: string, error: string): HostTestResults {
  return { passed: 0, failed: 1, failures: [{ title, error }] };
}

export async function runExtensionHostTests(opts: HostTestOptions): Promise<HostTestResults> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const testsEntry = path.resolve(opts.testsEntry);
  if (!fs.existsSync(testsEntry)) return failure('extension host tests', `tests entry not found: ${testsEntry}`);
  const resultsDir = makeTempDir('acr-');
  const resultsFile = path.join(resultsDir, 'results.json');
  const server = await startCodeServer({
    workspaceFolder: opts.workspaceFolder,
    env: { ...opts.env, [RESULTS_ENV]: resultsFile },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const browser = await launchBrowser();
    try {
      const page = await newPage(browser);
      if (process.env.AICLI_E2E_DEBUG) page.on('console', (m) => console.error(`[page ${m.type()}] ${m.text()}`));
      // Both must exist before the workbench loads: the test runner looks them up on window.
      await page.exposeFunction('codeAutomationLog', printHostLog);
      let onExit: (outcome: Outcome) => void = () => undefined;
      const exited = new Promise<Outcome>((resolve) => (onExit = resolve));
      await page.exposeFunction('codeAutomationExit', (code: unknown) => {
        onExit({ kind: 'exit', code: typeof code === 'number' ? code : 1 });
      });
      const timedOut = new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      });
      await page.goto(server.url(opts.workspaceFolder, [['extensionTestsPath', server.remoteUri(testsEntry)]]));
      const outcome = await Promise.race([exited, timedOut]);
      const results = readResults(resultsFile);
      if (outcome.kind === 'timeout') {
        const error = `no codeAutomationExit within ${timeoutMs} ms (run() never settled?)`;
        return results ? { ...results, failed: results.failed + 1, failures: [...results.failures, { title: 'timeout', error }] } : failure('timeout', error);
      }
      if (!results) {
        return failure(
          'extension host tests',
          `no results at ${RESULTS_ENV} (exit code ${outcome.code}): ` + 'the suite did not load or did not write them; see the log above',
        );
      }
      if (outcome.code !== 0 && results.failed === 0) {
        return { ...results, failed: 1, failures: [{ title: 'extension host', error: `exit code ${outcome.code}` }] };
      }
      return results;
    } finally {
      await browser.close();
    }
  } finally {
    if (timer) clearTimeout(timer);
    await server.stop();
    removeDir(resultsDir);
  }
}
