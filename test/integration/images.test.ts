import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { EngineError, InputError, MissingImageError } from '../../src/engine/errors';
import { listImages, removeImage } from '../../src/workspace/images';
import { PullCancelledError, pullImage } from '../../src/workspace/pull';
import { PullProgress } from '../../src/workspace/pullProgress';
import { buildLayeredImage, LocalRegistry, pushToRegistry, startLocalRegistry } from '../support/registry';
import { baseImage, connect } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { cliPath } from '../support/paths';
import { everyKind, sweepRun } from '../support/sweep';
import { countTestResources, testLabel, testRunId, testWorkspaceService } from './support';

const gone = (connection: EngineConnection, reference: string): Promise<boolean> =>
  connection.docker
    .getImage(reference)
    .inspect()
    .then(
      () => false,
      (err: { statusCode?: number }) => err.statusCode === 404,
    );

describe('images: pull with progress from a loopback registry, list, remove (real engine)', function () {
  this.timeout(180_000);
  let connection: EngineConnection;
  let registry: LocalRegistry;
  let reference: string;
  let pushedId: string;
  const folders: string[] = [];
  const service = testWorkspaceService();

  before(async () => {
    connection = await connect();
    // Slowed to 8 MB/s so a 12 MiB pull takes long enough to watch and to cancel half-way.
    registry = await startLocalRegistry({ bytesPerSecond: 8_000_000 });
    const local = `aicli-test-layers-${testRunId}:latest`;
    await buildLayeredImage(connection.untimed, local, baseImage, 3, 4, testLabel);
    pushedId = (await connection.docker.getImage(local).inspect()).Id;
    reference = `${registry.address}/aicli-test/layers:${testRunId}`;
    await pushToRegistry(connection.untimed, local, reference);
    // Without the local copy the pull has to fetch the three layers (the base layer is shared).
    await connection.docker.getImage(local).remove();
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId, everyKind);
    await registry?.stop();
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('cancelling half-way stops the pull and leaves no image behind', async () => {
    const abort = new AbortController();
    let cancelledAt: PullProgress | undefined;
    await assert.rejects(
      pullImage(
        connection,
        reference,
        (progress) => {
          if (!cancelledAt && progress.layers.some((layer) => layer.phase === 'downloading' && (layer.current ?? 0) > 0)) {
            cancelledAt = progress;
            abort.abort();
          }
        },
        abort.signal,
      ),
      PullCancelledError,
    );
    assert.ok(cancelledAt && cancelledAt.fraction < 1, 'cancelled before the end');
    assert.equal(await gone(connection, reference), true);
  });

  it('pulls layer by layer with byte progress and ends with the pushed image', async () => {
    const seen: PullProgress[] = [];
    const result = await pullImage(connection, reference, (progress) => seen.push(progress));
    assert.equal(result.imageId, pushedId);
    const downloading = new Set(seen.flatMap((p) => p.layers.filter((l) => l.phase === 'downloading' && (l.current ?? 0) < (l.total ?? 0)).map((l) => l.id)));
    assert.ok(downloading.size >= 3, `partial download progress for ${downloading.size} layers`);
    const last = seen.at(-1)!;
    assert.equal(last.fraction, 1);
    assert.equal(last.layersDone, last.layers.length);
    assert.ok(last.bytesToDownload > 3 * 4 * 2 ** 20 * 0.9, `about 12 MiB downloaded (compressed), got ${last.bytesToDownload}`);
    assert.ok(
      seen.some((p) => p.fraction > 0.2 && p.fraction < 0.8),
      'progress in between was reported',
    );
  });

  it('a missing image or an unreachable registry fails with a clear message and no image', async () => {
    const missing = `${registry.address}/aicli-test/missing:nope`;
    await assert.rejects(
      pullImage(connection, missing),
      (err: unknown) =>
        err instanceof EngineError && err.kind === 'notFound' && err.message.includes(`Image ${missing} was not found`) && /docker login/.test(err.suggestion),
    );
    assert.equal(await gone(connection, missing), true);
    // Port 9 (discard) on loopback: nothing listens there, so the engine gets "connection refused".
    await assert.rejects(
      pullImage(connection, '127.0.0.1:9/aicli-test/x:1'),
      (err: unknown) => err instanceof EngineError && /could not reach the registry for 127\.0\.0\.1:9\/aicli-test\/x:1/.test(err.message),
    );
  });

  it('create with an image that is not there raises MissingImageError and creates nothing', async () => {
    const folder = makeProjectFolder();
    folders.push(folder);
    const before = await countTestResources(connection.docker);
    await assert.rejects(
      service.create({ folder, name: `noimg-${testRunId}`, image: `${registry.address}/aicli-test/missing:nope` }),
      (err: unknown) => err instanceof MissingImageError && err.image.endsWith('missing:nope'),
    );
    assert.deepEqual(await countTestResources(connection.docker), before);
  });

  it('lists the image with its size and workspace; removal is refused while it is used', async () => {
    const folder = makeProjectFolder();
    folders.push(folder);
    const name = `img-user-${testRunId}`;
    await service.create({ folder, name, image: reference });
    const listed = (await listImages(connection)).find((image) => image.tags.includes(reference));
    assert.ok(listed, 'pulled image listed');
    assert.deepEqual(listed.usedBy, [name]);
    assert.ok(listed.sizeBytes > 12 * 2 ** 20, `size ${listed.sizeBytes}`);
    await assert.rejects(removeImage(connection, reference), (err: unknown) => err instanceof InputError && err.message.includes(`used by ${name}`));
    await service.remove(name);
    await removeImage(connection, reference);
    assert.equal(await gone(connection, reference), true);
  });

  it('aicli-ws pull prints each layer and the result; images --json lists it', async () => {
    const run = promisify(execFile);
    const pulled = await run(process.execPath, [cliPath, 'pull', reference]);
    assert.match(pulled.stdout, new RegExp(`^Pulled ${reference.replace(/[.]/g, '\\.')} \\([0-9a-f]{12}\\)`));
    assert.match(pulled.stderr, /: Downloading\n/);
    assert.match(pulled.stderr, /: Pull complete\n/);
    const images = JSON.parse((await run(process.execPath, [cliPath, 'images', '--json'])).stdout) as { tags: string[] }[];
    assert.ok(images.some((image) => image.tags.includes(reference)));
    const missing = await run(process.execPath, [cliPath, 'pull', `${registry.address}/aicli-test/missing:nope`]).then(
      () => assert.fail('pull of a missing image succeeded'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: Image .* was not found/);
  });
});
