// bench/activation: activation time inside a real VS Code (code-server), time to a connected
// engine vs raw dockerode doing the same ping + version in the same extension host, and the
// sizes of the bundle and the VSIX.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureEngine } from '../scripts/engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

execFileSync('npm', ['run', '-s', 'package'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const bundle = statSync(join(root, 'dist', 'extension.js')).size;
const cli = statSync(join(root, 'dist', 'cli.js')).size;
const vsix = statSync(join(root, 'aicli-workspaces.vsix')).size;

const engine = await ensureEngine({ log: () => {} });
const { runExtensionHostTests, makeTempDir, removeDir } = require(join(root, 'out', 'test', 'e2e', 'harness.js'));
const scratch = mkdtempSync(join(tmpdir(), 'aicli-bench-'));
const metricsFile = join(scratch, 'metrics.json');
const folder = makeTempDir('acb-');
try {
  const result = await runExtensionHostTests({
    workspaceFolder: folder,
    testsEntry: join(root, 'bench', 'activation-suite.js'),
    env: { AICLI_BENCH_OUT: metricsFile },
    timeoutMs: 180_000,
  });
  if (result.failed) throw new Error(result.failures.map((f) => f.error).join('\n'));
  const m = JSON.parse(readFileSync(metricsFile, 'utf8'));
  console.log(`bundle dist/extension.js       ${kib(bundle)} (minified), dist/cli.js ${kib(cli)}`);
  console.log(`VSIX aicli-workspaces.vsix     ${kib(vsix)}`);
  console.log(`bundle evaluation              ${m.bundleEvaluationMs.toFixed(1)} ms`);
  console.log(`activate()                     ${m.activateMs.toFixed(1)} ms`);
  console.log(`connect (version+events open) ${m.ourConnectMs.toFixed(1)} ms (median of 7)`);
  console.log(`raw dockerode ping+version     ${m.rawDockerodeConnectMs.toFixed(1)} ms (median of 7)`);
  console.log(`ratio connect / raw dockerode  ${(m.ourConnectMs / m.rawDockerodeConnectMs).toFixed(2)}x`);
} finally {
  removeDir(folder);
  rmSync(scratch, { recursive: true, force: true });
  await engine.stop();
}
