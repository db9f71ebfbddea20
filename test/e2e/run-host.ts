// node out/test/e2e/run-host.js: runs test/e2e/host/*.test.ts inside code-server's extension host.
import * as path from 'path';
import { e2eReadme, makeTempDir, removeDir, runExtensionHostTests } from './harness';

async function main(): Promise<number> {
  const workspaceFolder = makeTempDir('acw-', { readme: e2eReadme });
  const started = Date.now();
  try {
    const results = await runExtensionHostTests({
      workspaceFolder,
      testsEntry: path.join(__dirname, 'host', 'index.js'),
      timeoutMs: Number(process.env.AICLI_E2E_TIMEOUT_MS) || undefined,
    });
    for (const f of results.failures) console.log(`\nFAILED: ${f.title}\n${f.error}`);
    console.log(`\nextension host tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${results.passed} passed, ${results.failed} failed`);
    return results.failed > 0 || results.passed === 0 ? 1 : 0;
  } finally {
    removeDir(workspaceFolder);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
