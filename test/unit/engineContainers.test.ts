import * as assert from 'node:assert/strict';
import type { CallOptions, EngineConnection } from '../../src/engine/connection';
import { containerListOptions, listContainers } from '../../src/engine/containers';
import { filtersParameter, labelFilter, managedLabel } from '../../src/engine/filters';
import { listImages } from '../../src/engine/images';
import { listNetworks } from '../../src/engine/networks';
import { listVolumes } from '../../src/engine/volumes';
import { gatewayLabels } from '../../src/workspace/gateway';
import { labels } from '../../src/workspace/model';

const parsed = (options: { filters?: unknown }): unknown => (typeof options.filters === 'string' ? JSON.parse(options.filters) : options.filters);

/** A fake engine that records the list requests it is asked (unit tests may fake the engine). */
function recordingConnection() {
  const asked: { what: string; method: string; options: unknown; untimed: boolean }[] = [];
  const answer =
    (method: string, result: unknown) =>
    async (options: unknown): Promise<unknown> => {
      asked.push({ what: current.what, method, options, untimed: current.untimed });
      return result;
    };
  const current = { what: '', untimed: false };
  const docker = {
    listContainers: answer('listContainers', []),
    listImages: answer('listImages', []),
    listNetworks: answer('listNetworks', []),
    listVolumes: answer('listVolumes', { Volumes: null }),
  };
  const connection = {
    call: (what: string, fn: (d: typeof docker) => Promise<unknown>, options: CallOptions = {}) => {
      current.what = what;
      current.untimed = options.untimed === true;
      return fn(docker);
    },
  } as unknown as EngineConnection;
  return { asked, connection };
}

describe('engine gateway: the managed-label filter', () => {
  it('is the label the aicli Go tools share, with the values the workspace layer uses', () => {
    assert.equal(managedLabel, 'aicli.managed');
    assert.deepEqual(labelFilter('workspace'), [`${labels.managed}=true`]);
    assert.deepEqual(labelFilter('gateway'), [`${labels.managed}=${gatewayLabels.role}`]);
  });

  it('asks for workspaces by default, any managed value, or no label at all', () => {
    assert.deepEqual(labelFilter(), ['aicli.managed=true']);
    assert.deepEqual(labelFilter('managed'), ['aicli.managed']);
    assert.deepEqual(labelFilter('any'), []);
  });

  it('narrows by extra labels after the managed one', () => {
    assert.deepEqual(labelFilter('workspace', { 'aicli.test.run': 'r1', 'aicli.workspace.name': 'web' }), [
      'aicli.managed=true',
      'aicli.test.run=r1',
      'aicli.workspace.name=web',
    ]);
    assert.deepEqual(labelFilter('any', { 'aicli.workspace.id': 'w1' }), ['aicli.workspace.id=w1']);
  });

  it('leaves empty filters out of the query', () => {
    assert.equal(filtersParameter({ label: [], id: undefined }), undefined);
    assert.deepEqual(JSON.parse(filtersParameter({ label: ['a=b'], id: undefined, status: [] }) ?? ''), { label: ['a=b'] });
  });
});

describe('engine gateway: listContainers', () => {
  it('lists managed workspaces in every state by default', () => {
    const options = containerListOptions();
    assert.equal(options.all, true);
    assert.deepEqual(parsed(options), { label: ['aicli.managed=true'] });
  });

  it('asks only for running ones without `all`, as the engine filters them', () => {
    const options = containerListOptions({ running: true, labels: { 'aicli.test.run': 'r1' } });
    assert.equal(options.all, undefined);
    assert.deepEqual(parsed(options), { label: ['aicli.managed=true', 'aicli.test.run=r1'], status: ['running'] });
  });

  it('combines ids with the managed filter, or lists them alone', () => {
    assert.deepEqual(parsed(containerListOptions({ ids: ['c1', 'c2'] })), { label: ['aicli.managed=true'], id: ['c1', 'c2'] });
    assert.deepEqual(parsed(containerListOptions({ kind: 'any', ids: ['c1'] })), { id: ['c1'] });
  });

  it('lists gateways, or every container on the engine without a filter', () => {
    assert.deepEqual(parsed(containerListOptions({ kind: 'gateway', labels: { 'aicli.test.run': 'r1' } })), {
      label: ['aicli.managed=gateway', 'aicli.test.run=r1'],
    });
    assert.deepEqual(containerListOptions({ kind: 'any' }), { all: true });
  });

  it('sends the request on the timed client, with its description', async () => {
    const { asked, connection } = recordingConnection();
    await listContainers(connection, { labels: { 'aicli.workspace.name': 'web' } }, 'list workspaces named web');
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0], {
      what: 'list workspaces named web',
      method: 'listContainers',
      options: { all: true, filters: JSON.stringify({ label: ['aicli.managed=true', 'aicli.workspace.name=web'] }) },
      untimed: false,
    });
  });

  it('asks nothing for an empty id list (no filter would list every container)', async () => {
    const { asked, connection } = recordingConnection();
    assert.deepEqual(await listContainers(connection, { kind: 'any', ids: [] }), []);
    assert.equal(asked.length, 0);
  });
});

describe('engine gateway: the other lists use the same filter', () => {
  it('images, networks and volumes default to managed ones and narrow the same way', async () => {
    const { asked, connection } = recordingConnection();
    await listImages(connection, { labels: { 'aicli.test.run': 'r1' }, dangling: true });
    await listImages(connection, { kind: 'any' });
    await listNetworks(connection, { labels: { 'aicli.test.run': 'r1' } });
    await listNetworks(connection, { kind: 'any' });
    assert.deepEqual(await listVolumes(connection, { dangling: true }), []);
    assert.deepEqual(
      asked.map((request) => [request.method, parsed(request.options as { filters?: unknown }) ?? null]),
      [
        ['listImages', { label: ['aicli.managed=true', 'aicli.test.run=r1'], dangling: ['true'] }],
        ['listImages', null],
        ['listNetworks', { label: ['aicli.managed=true', 'aicli.test.run=r1'] }],
        ['listNetworks', null],
        ['listVolumes', { label: ['aicli.managed=true'], dangling: ['true'] }],
      ],
    );
  });
});

describe('engine gateway: volume lists check every label again', () => {
  it('keeps only volumes with all the asked labels, as an engine that ORs label filters (Podman 4.3) would not', async () => {
    const volumes = [
      { Name: 'ours', Labels: { 'aicli.managed': 'true', 'aicli.test.run': 'r1' } },
      { Name: 'other-run', Labels: { 'aicli.managed': 'true', 'aicli.test.run': 'r2' } },
      { Name: 'not-ours', Labels: { 'aicli.test.run': 'r1' } },
      { Name: 'no-labels', Labels: null },
    ];
    const connection = {
      call: (_what: string, fn: (docker: unknown) => Promise<unknown>) => fn({ listVolumes: async () => ({ Volumes: volumes }) }),
    } as unknown as EngineConnection;
    assert.deepEqual(
      (await listVolumes(connection, { labels: { 'aicli.test.run': 'r1' } })).map((volume) => volume.Name),
      ['ours'],
    );
    assert.deepEqual(
      (await listVolumes(connection, { kind: 'any' })).map((volume) => volume.Name),
      ['ours', 'other-run', 'not-ours', 'no-labels'],
    );
  });
});
