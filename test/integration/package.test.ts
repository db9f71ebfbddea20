// `npm run package` as a user (or a release) runs it: a VSIX with the LICENSE, CHANGELOG, icon and
// README images inside, under 1.5 MB. The packaging writes a production bundle into dist/, so the
// development bundle the later tests run is built again afterwards.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot } from '../support/paths';

const run = promisify(execFile);
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;
type Entry = { name: string; method: number; offset: number; size: number };

describe('npm run package (the VSIX)', function () {
  this.timeout(300_000);
  const vsix = join(repoRoot, 'aicli-workspaces.vsix');

  after(async () => {
    await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
    rmSync(vsix, { force: true });
  });

  it('holds LICENSE, CHANGELOG, the icon and every README image it shows, nothing of the tree, under 1.5 MB', async () => {
    const { stdout } = await run('npm', ['run', 'package'], { cwd: repoRoot, maxBuffer: 16 * 2 ** 20 });
    assert.match(stdout, /\[package\] .*aicli-workspaces\.vsix: \d\.\d\d MB \(budget 1\.5 MB\), \d+ files, \d+ README images inside/);
    assert.ok(statSync(vsix).size < 1.5e6, `${statSync(vsix).size} bytes`);
    const zip = await importEsm(pathToFileURL(join(repoRoot, 'scripts', 'zip.mjs')).href);
    const buffer = readFileSync(vsix);
    const entries = (zip.zipEntries as (buffer: Buffer) => Entry[])(buffer);
    const names = entries.map((entry) => entry.name);
    for (const wanted of [
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/media/icon.png',
      'extension/readme.md',
      'extension/dist/extension.js',
    ]) {
      assert.ok(names.includes(wanted), `${wanted} in ${names.join(', ')}`);
    }
    const manifest = JSON.parse(
      (zip.zipRead as (buffer: Buffer, entry: Entry) => Buffer)(
        buffer,
        entries.find((entry) => entry.name === 'extension/package.json')!,
      ).toString('utf8'),
    ) as {
      icon: string;
      license: string;
    };
    assert.equal(manifest.icon, 'media/icon.png');
    const readme = (zip.zipRead as (buffer: Buffer, entry: Entry) => Buffer)(
      buffer,
      entries.find((entry) => entry.name === 'extension/readme.md')!,
    ).toString('utf8');
    const images = [...readme.matchAll(/\]\(([^)\s]+\.(?:png|webp))\)/g)].map((match) => match[1] ?? '');
    const inRepository = new Set([...readFileSync(join(repoRoot, 'README.md'), 'utf8').matchAll(/\]\((media\/[^)\s]+\.png)\)/g)].map((match) => match[1]));
    assert.equal(
      images.length >= inRepository.size && inRepository.size > 10,
      true,
      `${images.length} images shown, ${inRepository.size} in the repository's README`,
    );
    for (const image of images) assert.ok(names.includes(`extension/${image}`), `the README shows ${image}, not in the VSIX`);
    assert.ok(!names.some((name) => /^extension\/(src|test|out|node_modules|bench|scripts)\//.test(name)), 'no source, tests or node_modules');
  });
});
