import * as assert from 'node:assert/strict';
import { InputError } from '../../src/engine/errors';
import { normalizeReference } from '../../src/workspace/pull';
import { describePullProgress, PullMessage, PullProgressTracker } from '../../src/workspace/pullProgress';

// The shape dockerd 20.10 streams for a two-layer pull (ids shortened, progress bars dropped).
const recorded: PullMessage[] = [
  { status: 'Pulling from team/tool', id: '1.2' },
  { status: 'Pulling fs layer', id: 'aaa' },
  { status: 'Pulling fs layer', id: 'bbb' },
  { status: 'Waiting', id: 'bbb' },
  { status: 'Downloading', id: 'aaa', progressDetail: { current: 500_000, total: 2_000_000 } },
  { status: 'Downloading', id: 'aaa', progressDetail: { current: 2_000_000, total: 2_000_000 } },
  { status: 'Verifying Checksum', id: 'aaa', progressDetail: {} },
  { status: 'Download complete', id: 'aaa', progressDetail: {} },
  { status: 'Extracting', id: 'aaa', progressDetail: { current: 1_000_000, total: 2_000_000 } },
  { status: 'Downloading', id: 'bbb', progressDetail: { current: 1_000_000, total: 8_000_000 } },
  { status: 'Pull complete', id: 'aaa', progressDetail: {} },
  { status: 'Downloading', id: 'bbb', progressDetail: { current: 8_000_000, total: 8_000_000 } },
  { status: 'Download complete', id: 'bbb', progressDetail: {} },
  { status: 'Extracting', id: 'bbb', progressDetail: { current: 8_000_000, total: 8_000_000 } },
  { status: 'Pull complete', id: 'bbb', progressDetail: {} },
  { status: 'Digest: sha256:0123' },
  { status: 'Status: Downloaded newer image for registry.example:5000/team/tool:1.2' },
];

function replay(count: number): ReturnType<PullProgressTracker['snapshot']> {
  const tracker = new PullProgressTracker();
  recorded.slice(0, count).forEach((message) => tracker.apply(message));
  return tracker.snapshot();
}

describe('pull progress', () => {
  it('tracks each layer through download and extraction', () => {
    const halfway = replay(10);
    assert.deepEqual(
      halfway.layers.map((layer) => `${layer.id} ${layer.phase}`),
      ['aaa extracting', 'bbb downloading'],
    );
    // aaa: half a layer downloaded + a quarter extracted = 0.75; bbb: 1/8 of its download = 0.0625.
    assert.equal(halfway.fraction, (0.75 + 0.0625) / 2);
    assert.equal(halfway.bytesDownloaded, 3_000_000);
    assert.equal(halfway.bytesToDownload, 10_000_000);
    assert.equal(describePullProgress(halfway), '0/2 layers · 2.9/9.5 MiB · aaa: Extracting');
  });

  it("ends at 100 % with every layer done and the engine's summary", () => {
    const done = replay(recorded.length);
    assert.equal(done.fraction, 1);
    assert.equal(done.layersDone, 2);
    assert.equal(done.summary, 'Status: Downloaded newer image for registry.example:5000/team/tool:1.2');
    assert.equal(describePullProgress(done), '2/2 layers · 9.5/9.5 MiB · Status: Downloaded newer image for registry.example:5000/team/tool:1.2');
  });

  it('counts layers that already exist as done, without bytes', () => {
    const tracker = new PullProgressTracker();
    tracker.apply({ status: 'Already exists', id: 'ccc' });
    assert.deepEqual({ fraction: tracker.snapshot().fraction, bytes: tracker.snapshot().bytesToDownload }, { fraction: 1, bytes: 0 });
  });

  it('ignores messages without a status', () => {
    assert.equal(new PullProgressTracker().apply({ id: 'x' }), false);
  });
});

describe('image references', () => {
  it('adds :latest only when there is no tag or digest (a bare name would pull every tag)', () => {
    assert.equal(normalizeReference('busybox'), 'busybox:latest');
    assert.equal(normalizeReference(' 127.0.0.1:5000/team/tool '), '127.0.0.1:5000/team/tool:latest');
    assert.equal(normalizeReference('127.0.0.1:5000/team/tool:1.2'), '127.0.0.1:5000/team/tool:1.2');
    const digest = `busybox@sha256:${'a'.repeat(64)}`;
    assert.equal(normalizeReference(digest), digest);
  });

  it('refuses empty and malformed references with what to type instead', () => {
    assert.throws(
      () => normalizeReference('  '),
      (err: unknown) => err instanceof InputError && /No image given/.test(err.message),
    );
    assert.throws(
      () => normalizeReference('Busy Box'),
      (err: unknown) => err instanceof InputError && /is not an image reference: use \[registry\[:port\]\/\]name\[:tag\]/.test(err.message),
    );
  });
});
