// Runs one bench suite inside the extension host of a real VS Code (code-server) and returns
// what the suite wrote to $AICLI_BENCH_OUT. Needs `tsc` output (out/) for the e2e harness.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');

export async function runBenchSuite(suite, { env = {}, timeoutMs = 300_000 } = {}) {
  const { runExtensionHostTests, makeTempDir, removeDir } = require(join(root, 'out', 'test', 'e2e', 'harness.js'));
  const scratch = mkdtempSync(join(tmpdir(), 'aicli-bench-'));
  const folder = makeTempDir('acb-');
  try {
    const out = join(scratch, 'out.json');
    const result = await runExtensionHostTests({
      workspaceFolder: folder,
      testsEntry: join(root, 'bench', suite),
      // The run's audit trail and metrics history stay in its scratch folder, not the user's state.
      env: { AICLI_STATE_DIR: join(scratch, 'state'), ...env, AICLI_BENCH_OUT: out },
      timeoutMs,
    });
    if (result.failed) throw new Error(result.failures.map((f) => f.error).join('\n'));
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    removeDir(folder);
    rmSync(scratch, { recursive: true, force: true });
  }
}
