// `npm start`: build, make sure a Docker engine answers (starting a private one where allowed),
// then open a real VS Code (code-server) with the extension loaded on the sample folder.
// Ctrl+C stops everything this script started.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ensureDependencies } from './bootstrap.mjs';
import { ensureEngine } from './engine.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const sampleFolder = join(root, 'test', 'fixtures', 'sample-project');

ensureDependencies(root);
console.log('[start] building');
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit', cwd: root });

/** @type {Awaited<ReturnType<typeof ensureEngine>>} */
let engine;
try {
  engine = await ensureEngine({ log: (line) => console.log(line) });
} catch (err) {
  console.error(`[start] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

// The launcher is shared with the e2e tests so both open VS Code the same way.
const { startCodeServer } = require(join(root, 'out', 'test', 'e2e', 'harness.js'));
const server = await startCodeServer({ workspaceFolder: sampleFolder, env: { DOCKER_HOST: engine.host } });

console.log('');
console.log(`[start] VS Code with AICLI Workspaces: ${server.url(sampleFolder)}`);
console.log(`[start] engine: ${engine.host}${engine.startedByUs ? ' (private, started for this session)' : ''}`);
console.log('[start] press Ctrl+C to stop');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping');
  await server.stop();
  await engine.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Keep the process alive until a signal arrives.
setInterval(() => {}, 1 << 30);
