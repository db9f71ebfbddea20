// bench/activation: activation time inside a real VS Code (code-server), time to a connected
// engine vs raw dockerode doing the same ping + version in the same extension host, and the
// sizes of the bundle and the VSIX.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureEngine } from '../scripts/engine.mjs';
import { runBenchSuite } from './hostSuite.mjs';

const root = resolve(import.meta.dirname, '..');
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

execFileSync('npm', ['run', '-s', 'package'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const bundle = statSync(join(root, 'dist', 'extension.js')).size;
const cli = statSync(join(root, 'dist', 'cli.js')).size;
const vsix = statSync(join(root, 'aicli-workspaces.vsix')).size;

const engine = await ensureEngine({ log: () => {} });
try {
  const m = await runBenchSuite('activation-suite.js', { timeoutMs: 180_000 });
  console.log(`bundle dist/extension.js       ${kib(bundle)} (minified), dist/cli.js ${kib(cli)}`);
  console.log(`VSIX aicli-workspaces.vsix     ${kib(vsix)}`);
  console.log(`bundle evaluation              ${m.bundleEvaluationMs.toFixed(1)} ms`);
  console.log(`activate()                     ${m.activateMs.toFixed(1)} ms`);
  console.log(`connect (version+events open) ${m.ourConnectMs.toFixed(1)} ms (median of 7)`);
  console.log(`raw dockerode ping+version     ${m.rawDockerodeConnectMs.toFixed(1)} ms (median of 7)`);
  console.log(`ratio connect / raw dockerode  ${(m.ourConnectMs / m.rawDockerodeConnectMs).toFixed(2)}x`);
} finally {
  await engine.stop();
}
