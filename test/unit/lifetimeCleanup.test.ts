import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupPlan } from '../../src/workspace/cleanup';
import { cleanupRunFile, CleanupSchedule, namedAndStillDue } from '../../src/workspace/lifetimes/cleanupSchedule';
import { describeCleanupNotice, describeStop, describeWarning } from '../../src/workspace/lifetimes/describe';
import { KeeperLock, keeperLockPath } from '../../src/workspace/lifetimes/keeper';
import { LifetimeWarning } from '../../src/workspace/lifetimes/workspaceLifetime';
import { FakeClock } from '../support/fakeClock';

const hour = 3600_000;
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const emptyPlan = (): CleanupPlan => ({ workspaces: [], gateways: [], networks: [], images: [], volumes: [] });
const exited = (name: string, containerId: string): CleanupPlan['workspaces'][number] => ({
  id: name,
  name,
  containerId,
  containerName: `workspace_${name}`,
  finishedAt: '2024-01-01T00:00:00Z',
  folder: `/home/user/${name}`,
});

describe('lifetimes: the periodic cleanup and the keeper', () => {
  let state: string;
  beforeEach(() => (state = mkdtempSync(join(tmpdir(), 'aicli-lifetimes-'))));
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('runs an interval after the last run of any window, kept across reloads; off: never', async () => {
    const clock = new FakeClock();
    let interval: number | undefined = hour;
    let runs = 0;
    const schedule = new CleanupSchedule(
      cleanupRunFile(state),
      () => interval,
      async () => void runs++,
      clock,
    );
    clock.advance(hour - 1);
    assert.equal(runs, 0, 'turned on now: the first run an interval later');
    clock.advance(1);
    await flush();
    clock.advance(hour);
    await flush();
    assert.equal(runs, 2);
    schedule.dispose();

    // A reload two hours later: overdue, so at once; and not again before another interval.
    writeFileSync(cleanupRunFile(state), JSON.stringify({ lastRunAt: new Date(clock.now() - 2 * hour).toISOString() }));
    const reloaded = new CleanupSchedule(
      cleanupRunFile(state),
      () => interval,
      async () => void runs++,
      clock,
    );
    clock.advance(0);
    await flush();
    assert.equal(runs, 3);
    interval = undefined;
    reloaded.refresh();
    clock.advance(10 * hour);
    assert.equal(runs, 3);
    reloaded.dispose();
  });

  it('removes only what the notice named and still qualifies', () => {
    const named = { ...emptyPlan(), workspaces: [exited('a', 'ca'), exited('b', 'cb')], volumes: [{ name: 'v1' }] };
    // b was started meanwhile (no longer in the plan); c expired meanwhile (never announced).
    const fresh = { ...emptyPlan(), workspaces: [exited('a', 'ca'), exited('c', 'cc')], volumes: [{ name: 'v1' }, { name: 'v2' }] };
    const due = namedAndStillDue(named, fresh);
    assert.deepEqual([due.workspaces.map((ws) => ws.name), due.volumes.map((volume) => volume.name)], [['a'], ['v1']]);
  });

  it('one keeper per lock: a second window waits, and takes over when the first lets go', () => {
    const clock = new FakeClock();
    const path = keeperLockPath(state, 'engine unix:///var/run/docker.sock');
    const first = new KeeperLock(path, { clock, retryMs: 1000 });
    const second = new KeeperLock(path, { clock, retryMs: 1000 });
    const changes: boolean[] = [];
    second.onDidChange((held) => changes.push(held));
    assert.deepEqual([first.held, second.held], [true, false]);
    first.dispose();
    clock.advance(1000);
    assert.deepEqual([second.held, changes], [true, [true]]);
    second.dispose();
  });

  it('says what it will do, and what it did', () => {
    const now = 1_700_000_000_000;
    const workspace = { containerId: 'c1', id: 'w1', name: 'one', level: 'standard' as const };
    const idle: LifetimeWarning = { workspace, rule: 'idleStop', limitMs: 30 * 60_000, since: now - 29 * 60_000, stopAt: now + 60_000, openSessions: 0 };
    assert.equal(
      describeWarning(idle, now),
      'Workspace one has been idle for 29 min (no session, CPU under 1 %) and will be stopped in 1 min (aicli.lifetime.idleStop).',
    );
    const old: LifetimeWarning = { ...idle, rule: 'maxAge', limitMs: 7 * 24 * hour, since: now - 7 * 24 * hour + 60_000, openSessions: 2 };
    assert.match(describeWarning(old, now), /running for 6 d 23 h and will be stopped in 1 min \(aicli\.lifetime\.maxAge\); 2 open sessions end with it\./);
    assert.match(describeStop(idle), /^Stopped workspace one: idle for 30 min \(aicli\.lifetime\.idleStop\)\./);
    const plan = { ...emptyPlan(), workspaces: [exited('a', 'ca')], networks: [{ id: 'n', name: 'aicli-workspace-x', workspaceId: 'x' }] };
    assert.equal(
      describeCleanupNotice([{ plan }], 60_000),
      'The periodic cleanup (aicli.cleanup.interval) will remove in 1 min: 1 exited workspace (a), 1 orphaned network or gateway. Project folders are never touched; the list is in the AICLI log.',
    );
  });
});
