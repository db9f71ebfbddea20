import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { imageRow } from '../../src/cli/images';
import { formatBytes } from '../../src/engine/bytes';
import { describeCleanupPlan } from '../../src/workspace/cleanup';
import { describePullProgress } from '../../src/workspace/pullProgress';
import { repoRoot } from '../support/paths';

const MiB = 2 ** 20;
const srcRoot = resolve(repoRoot, 'src');
/** The one place that turns a byte count into text. */
const bytesModule = join('engine', 'bytes.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/**
 * Code that formats bytes by itself: a division by a binary unit, or a unit label right after an
 * interpolation or at the end of a string. Decimal divisions (/ 1e6) are not matched on their own
 * because nanoseconds and NanoCpus use them too; their "MB" label is what gives them away.
 */
const ownFormatting = [/\/\s*(?:2\s*\*\*\s*(?:10|20|30)|1024)\b/, /\}\s*(?:\/\s*)?(?:kB|KB|KiB|MB|MiB|GB|GiB)\b/, /\b(?:kB|KiB|MB|MiB|GB|GiB)['"`]/];

describe('bytes: one unit everywhere sizes are shown', () => {
  it('formats in binary units, one decimal below 10 of the unit', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(5_000_000), '4.8 MiB');
    assert.equal(formatBytes(32 * MiB), '32 MiB');
    assert.equal(formatBytes(512 * MiB), '512 MiB');
    assert.equal(formatBytes(1023 * MiB), '1023 MiB');
    assert.equal(formatBytes(1536 * MiB), '1.5 GiB');
    assert.equal(formatBytes(24 * 1024 * MiB), '24 GiB');
    assert.equal(formatBytes(Number.NaN), '0 B');
  });

  it("puts several values in the largest one's unit, so a used/limit pair reads against each other", () => {
    assert.equal(formatBytes(380 * MiB, 512 * MiB), '380/512 MiB');
    assert.equal(formatBytes(380 * MiB, 1536 * MiB), '0.4/1.5 GiB');
    assert.equal(formatBytes(0, 8 * 1024 * MiB), '0.0/8.0 GiB');
    assert.equal(formatBytes(3_000_000, 10_000_000), '2.9/9.5 MiB');
    assert.equal(formatBytes(12 * MiB, 0), '12/0 MiB');
  });

  it('Images, Cleanup and Pull show the same byte count in the same MiB unit', () => {
    const image = { id: `sha256:${'a'.repeat(64)}`, tags: ['tool:1'], sizeBytes: 5 * MiB, createdAt: new Date(0), managed: false, gateway: false, usedBy: [] };
    assert.equal(imageRow(image)[2], '5.0 MiB');
    const plan = { workspaces: [], gateways: [], networks: [], volumes: [], images: [{ id: image.id, size: 5 * MiB }] };
    assert.deepEqual(describeCleanupPlan(plan), ['dangling image aaaaaaaaaaaa (5.0 MiB)']);
    const progress = { layers: [], fraction: 0.5, layersDone: 0, bytesDownloaded: 5 * MiB, bytesToDownload: 8 * MiB };
    assert.equal(describePullProgress(progress), '5.0/8.0 MiB');
  });

  it('no code in src/ formats bytes outside src/engine/bytes.ts', () => {
    const offenders = sourceFiles(srcRoot)
      .filter((file) => relative(srcRoot, file) !== bytesModule)
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, where: `${relative(srcRoot, file)}:${index + 1}` }))
          // Comments may quote a text as an example; only code formats.
          .filter(({ line }) => !/^\s*(?:\/\/|\/?\*)/.test(line))
          .filter(({ line }) => ownFormatting.some((pattern) => pattern.test(line)))
          .map(({ line, where }) => `${where}: ${line.trim()}`),
      );
    assert.deepEqual(offenders, []);
  });
});
