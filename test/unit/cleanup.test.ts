import * as assert from 'node:assert/strict';
import { InputError } from '../../src/engine/errors';
import { describeCleanupPlan, isEmptyPlan, parseDuration } from '../../src/workspace/cleanup';

describe('cleanup', () => {
  it('parses durations with units', () => {
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration('45s'), 45_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('1.5h'), 5_400_000);
  });

  it('refuses durations without a unit or with garbage', () => {
    for (const bad of ['7', '7y', 'd', '-1d', '']) assert.throws(() => parseDuration(bad), InputError, bad);
  });

  it('describes a plan one line per item and never lists a folder for removal', () => {
    const plan = {
      workspaces: [
        {
          id: 'ab12cd34ef56',
          name: 'web',
          containerId: 'c'.repeat(64),
          containerName: 'workspace_ab12cd34ef56',
          network: 'aicli-workspace-ab12cd34ef56',
          finishedAt: '2026-01-01T00:00:00.000Z',
          folder: '/home/u/web',
        },
      ],
      gateways: [],
      helpers: [{ id: 'p1', name: 'aicli-probe-x', role: 'probe' as const }],
      networks: [{ id: 'n1', name: 'aicli-workspace-gone', workspaceId: 'gone' }],
      images: [{ id: `sha256:${'f'.repeat(64)}`, size: 5_000_000 }],
      volumes: [{ name: 'cache' }],
    };
    assert.equal(isEmptyPlan(plan), false);
    assert.equal(isEmptyPlan({ workspaces: [], gateways: [], networks: [], images: [], volumes: [] }), true);
    assert.equal(isEmptyPlan({ workspaces: [], gateways: [], helpers: [plan.helpers[0]!], networks: [], images: [], volumes: [] }), false);
    assert.deepEqual(describeCleanupPlan(plan), [
      'workspace web (ab12cd34ef56): container workspace_ab12cd34ef56 and network aicli-workspace-ab12cd34ef56, exited 2026-01-01T00:00:00.000Z; folder /home/u/web kept',
      "leftover helper container aicli-probe-x (the engine's data-device probe)",
      'orphaned network aicli-workspace-gone',
      'dangling image ffffffffffff (4.8 MiB)',
      'unused volume cache',
    ]);
  });

  it("lists a workspace's gateway and both networks, and orphaned gateways before the networks they hold", () => {
    const plan = {
      workspaces: [
        {
          id: 'w1',
          name: 'web',
          containerId: 'c1',
          containerName: 'workspace_w1',
          network: 'aicli-workspace-w1',
          gateway: 'aicli-gateway-w1',
          egressNetwork: 'aicli-egress-w1',
          finishedAt: '2026-01-01T00:00:00.000Z',
          folder: '/p',
        },
      ],
      gateways: [{ id: 'g2', name: 'aicli-gateway-w2', workspaceId: 'w2' }],
      networks: [],
      images: [],
      volumes: [],
    };
    assert.equal(isEmptyPlan({ ...plan, workspaces: [] }), false);
    assert.deepEqual(describeCleanupPlan(plan), [
      'workspace web (w1): container workspace_w1, gateway aicli-gateway-w1, network aicli-workspace-w1 and network aicli-egress-w1, exited 2026-01-01T00:00:00.000Z; folder /p kept',
      'orphaned gateway aicli-gateway-w2',
    ]);
  });
});
