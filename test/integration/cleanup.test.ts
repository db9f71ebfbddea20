import * as assert from 'node:assert/strict';
import { reviewerNameFor, reviewVolumeFor, viewVolumeFor } from '../../src/workspace/review/names';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineConnection } from '../../src/engine/connection';
import { labels } from '../../src/workspace/model';
import { applyCleanup, planCleanup } from '../../src/workspace/cleanup';
import { egressNetworkNameFor, gatewayNameFor } from '../../src/workspace/gateway';
import { WorkspaceService } from '../../src/workspace/service';
import { baseImage, connect } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { cliPath } from '../support/paths';
import { everyKind, sweepRun } from '../support/sweep';
import { sleep } from '../support/waits';
import { testLabel, testRunId, testWorkspaceService } from './support';

describe('managed-only cleanup (real engine)', function () {
  this.timeout(120_000);
  let connection: EngineConnection;
  let service: WorkspaceService;
  const folders: string[] = [];
  // Scopes every plan to this run: concurrent runs share the engine.
  const scope = { 'aicli.test.run': testRunId };
  const imageRepo = `aicli-test-cleanup-${testRunId}`;
  const managedImageLabels = { ...testLabel, [labels.managed]: 'true' };

  before(async () => {
    connection = await connect();
    service = testWorkspaceService();
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId, everyKind);
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('removes exactly the expired managed resources and leaves unlabelled ones, young workspaces and folders', async () => {
    const docker = connection.docker;
    const folder = (): string => {
      const made = makeProjectFolder('aicli-cleanup-');
      folders.push(made);
      return made;
    };

    // An old exited workspace, then a cutoff, then a young exited one and a running one.
    const old = (await service.create({ folder: folder(), name: `old-${process.pid}` })).workspace;
    await service.lifecycle(old.name, 'stop');
    await sleep(1100);
    const cutoff = Date.now();
    await sleep(1100);
    const young = (await service.create({ folder: folder(), name: `young-${process.pid}` })).workspace;
    await service.lifecycle(young.name, 'stop');
    const running = (await service.create({ folder: folder(), name: `running-${process.pid}` })).workspace;

    // Managed leftovers: an orphan network, an unused volume, a dangling image.
    const orphan = await docker.createNetwork({
      Name: `aicli-workspace-orphan${process.pid}`,
      Labels: { ...managedImageLabels, [labels.id]: `orphan${process.pid}` },
    });
    await docker.createVolume({ Name: `aicli-cleanup-managed-${testRunId}`, Labels: managedImageLabels });

    // Unlabelled (test labels only): an exited container, a network, a volume, a dangling image.
    const bystander = await docker.createContainer({ Image: baseImage, Cmd: ['true'], Labels: testLabel, name: `bystander-${testRunId}` });
    await bystander.start();
    await bystander.wait();
    const bystanderNetwork = await docker.createNetwork({ Name: `bystander-${testRunId}`, Labels: testLabel });
    await docker.createVolume({ Name: `aicli-cleanup-bystander-${testRunId}`, Labels: testLabel });
    const labelChanges = (set: Record<string, string>): string =>
      Object.entries(set)
        .map(([key, value]) => `LABEL ${key}=${value}`)
        .join('\n');
    const commit = (set: Record<string, string>, tag: string): Promise<{ Id: string }> =>
      bystander.commit({ repo: imageRepo, tag, changes: labelChanges(set) }) as Promise<{ Id: string }>;
    // Committing twice under one tag leaves the first image dangling.
    const danglingManaged = await commit(managedImageLabels, 'managed');
    await commit({ ...managedImageLabels, second: 'yes' }, 'managed');
    const danglingUnlabelled = await commit(testLabel, 'plain');
    await commit({ ...testLabel, second: 'yes' }, 'plain');

    // Helpers a crash left behind: a data-device probe, and a review helper of a workspace that is gone.
    const leftover = (role: string, extra: Record<string, string>, name: string): Promise<{ id: string }> =>
      docker.createContainer({ Image: baseImage, Cmd: ['true'], Labels: { ...testLabel, [labels.managed]: role, ...extra }, name });
    const probe = await leftover('probe', {}, `aicli-probe-left-${testRunId}`);
    const strayReviewer = await leftover('reviewer', { 'aicli.reviewer.of': `gone${process.pid}` }, `aicli-reviewer-left-${testRunId}`);

    const plan = await planCleanup(connection, { maxAgeMs: 0, now: cutoff, labels: scope, orphanGraceMs: 0 });
    // The reviewers of the young and running workspaces are theirs, not leftovers.
    assert.deepEqual(
      (plan.helpers ?? []).map((helper) => [helper.id, helper.role]).sort(),
      [
        [probe.id, 'probe'],
        [strayReviewer.id, 'reviewer'],
      ].sort(),
    );
    assert.deepEqual(
      plan.workspaces.map((ws) => [ws.name, ws.network]),
      [[old.name, old.network]],
    );
    assert.deepEqual(
      plan.networks.map((network) => network.id),
      [orphan.id],
    );
    assert.deepEqual(
      plan.volumes.map((volume) => volume.name),
      [`aicli-cleanup-managed-${testRunId}`],
    );
    assert.deepEqual(
      plan.images.map((image) => image.id),
      [danglingManaged.Id],
    );

    // A dry run through the CLI with the defaults (7 days, 10 minutes' grace for networks that may
    // belong to a create in flight) lists nothing of this run, and removes nothing.
    const { stdout } = await promisify(execFile)(process.execPath, [
      cliPath,
      'cleanup',
      '--dry-run',
      '--max-age',
      '7d',
      '--label',
      `aicli.test.run=${testRunId}`,
      '--json',
    ]);
    const dry = JSON.parse(stdout) as { dryRun: boolean; plan: { workspaces: unknown[]; networks: unknown[] } };
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.plan.workspaces, [], 'nothing exited 7 days ago');
    assert.deepEqual(dry.plan.networks, [], 'the orphan is younger than the grace period');
    await docker.getNetwork(orphan.id).inspect();

    const result = await applyCleanup(connection, plan);
    assert.deepEqual(result.failed, []);
    // A (review-mode) workspace is its container, its gateway, two networks, its reviewer and the
    // view and review volumes; then the two helpers, the orphan network, the volume, the image.
    assert.equal(result.removed.length, 12);
    for (const item of [
      `container ${old.containerName}`,
      `gateway ${gatewayNameFor(old.id)}`,
      `network ${old.network}`,
      `network ${egressNetworkNameFor(old.id)}`,
      `container ${reviewerNameFor(old.id)}`,
      `volume ${viewVolumeFor(old.id)}`,
      `volume ${reviewVolumeFor(old.id)}`,
      `helper aicli-probe-left-${testRunId}`,
      `helper aicli-reviewer-left-${testRunId}`,
    ]) {
      assert.ok(result.removed.includes(item), `${item} was not removed: ${result.removed.join('; ')}`);
    }

    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.test.run=${testRunId}`] }) });
    const gatewaysOf = (...kept: { id: string }[]): string[] => kept.flatMap((ws) => [`/${gatewayNameFor(ws.id)}`, `/${reviewerNameFor(ws.id)}`]);
    assert.deepEqual(
      containers.map((row) => row.Names[0]).sort(),
      [`/${young.containerName}`, `/${running.containerName}`, `/bystander-${testRunId}`, ...gatewaysOf(young, running)].sort(),
    );
    const networks = (await docker.listNetworks({ filters: JSON.stringify({ label: [`aicli.test.run=${testRunId}`] }) })).map((n) => n.Name).sort();
    assert.deepEqual(
      networks,
      [young.network, running.network, egressNetworkNameFor(young.id), egressNetworkNameFor(running.id), `bystander-${testRunId}`].sort(),
    );
    await bystanderNetwork.inspect();
    const volumes = (await docker.listVolumes({ filters: JSON.stringify({ label: [`aicli.test.run=${testRunId}`] }) })).Volumes ?? [];
    // The kept workspaces keep their views; the unused managed volume and the old one's are gone.
    assert.deepEqual(
      volumes.map((volume) => volume.Name).sort(),
      [`aicli-cleanup-bystander-${testRunId}`, ...[young, running].flatMap((ws) => [viewVolumeFor(ws.id), reviewVolumeFor(ws.id)])].sort(),
    );
    await docker.getImage(danglingUnlabelled.Id).inspect();
    await assert.rejects(docker.getImage(danglingManaged.Id).inspect());

    for (const made of folders) {
      assert.deepEqual(readdirSync(made), ['README.md']);
      assert.equal(readFileSync(join(made, 'README.md'), 'utf8'), '# test project\n');
    }

    // Applying the same plan again finds everything gone and is not an error.
    const again = await applyCleanup(connection, plan);
    assert.deepEqual(again.failed, []);
    assert.equal(again.removed.length, 0);
    assert.equal(again.gone.length, 9);

    // The CLI with max age 0 now takes the young exited workspace, never the running one.
    const applied = await promisify(execFile)(process.execPath, [cliPath, 'cleanup', '--max-age', '0', '--label', `aicli.test.run=${testRunId}`]);
    assert.match(applied.stdout, new RegExp(`Removed container ${young.containerName}`));
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`aicli.test.run=${testRunId}`] }) });
    assert.deepEqual(left.map((row) => row.Names[0]).sort(), [`/${running.containerName}`, `/bystander-${testRunId}`, ...gatewaysOf(running)].sort());
    assert.deepEqual((await service.find(running.name)).state, 'running');
  });
});
