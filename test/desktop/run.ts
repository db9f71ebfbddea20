// `npm run test:desktop`: the extension-host suite in a downloaded desktop VS Code, through
// @vscode/test-electron. Needs internet to download VS Code; CI uses code-server instead.
import { resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../support/paths';

async function main(): Promise<void> {
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: resolve(repoRoot, 'out', 'test', 'e2e', 'host', 'index.js'),
      launchArgs: [resolve(repoRoot, 'test', 'fixtures', 'sample-project'), '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (err) {
    console.error(`Desktop VS Code tests could not run: ${(err as Error).message}`);
    console.error('They download VS Code from update.code.visualstudio.com; without internet use `npm test` (code-server).');
    process.exit(1);
  }
}

void main();
