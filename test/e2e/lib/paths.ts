// Paths shared by the e2e harness, and temp dirs that go away when the runner exits.
import * as fs from 'fs';
import * as path from 'path';
import { FolderOptions, makeFolder } from '../../support/folders';
import { repoRoot } from '../../support/paths';
import { onProcessExit } from './cleanup';

export { repoRoot };
/**
 * Screenshots go to test-results/ on every run; with AICLI_UPDATE_SCREENSHOTS=1 they replace
 * the committed ones in media/ (which the README shows), so a test run leaves the tree clean.
 */
export const mediaDir = path.join(repoRoot, process.env.AICLI_UPDATE_SCREENSHOTS === '1' ? 'media' : path.join('test-results', 'screenshots'));
export const codeServerEntry = path.join(repoRoot, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** The README of the folder a code-server session opens, unless the test brings its own. */
export const e2eReadme = '# AICLI e2e workspace\n';

const tempDirs = new Map<string, () => void>();

/**
 * A fresh directory under os.tmpdir(), removed on process exit/SIGINT/SIGTERM unless removeDir() ran first.
 * Keep prefixes short: socket paths inside are limited to 107 chars.
 */
export function makeTempDir(prefix: string, options: FolderOptions = {}): string {
  const dir = makeFolder(prefix, options);
  const remove = (): void => rm(dir);
  tempDirs.set(
    dir,
    onProcessExit(remove, async () => remove()),
  );
  return dir;
}

export function removeDir(dir: string): void {
  rm(dir);
  tempDirs.get(dir)?.();
  tempDirs.delete(dir);
}

function rm(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  } catch {
    // Best effort: a process that is still exiting may recreate a file; the dir is under tmp anyway.
  }
}

/** Throws a readable error when the extension has not been bundled (npm run build). */
export function assertExtensionBuilt(extensionDir: string): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as { main?: string };
  const main = path.resolve(extensionDir, pkg.main ?? 'extension.js');
  const candidates = [main, `${main}.js`];
  if (!candidates.some((file) => fs.existsSync(file))) {
    throw new Error(`Extension entry ${main} is missing: run \`npm run build\` first.`);
  }
}
