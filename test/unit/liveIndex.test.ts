import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/engine/emitter';
import { Engine, EngineNotice } from '../../src/engine/engine';
import { DockerEvent } from '../../src/engine/events';
import { IndexChange, LiveWorkspaceIndex } from '../../src/workspace/liveIndex';
import { containerEvent, workspaceOneLabels } from '../support/dockerEvents';
import { sleep } from '../support/waits';

const containerId = 'c0ffee';
const labels = workspaceOneLabels;

function row(state: string, status: string): object {
  return {
    Id: containerId,
    Names: ['/workspace_w1'],
    Image: 'aicli/base:latest',
    State: state,
    Status: status,
    Created: 1_700_000_000,
    Labels: labels,
    Ports: [],
  };
}

/**
 * An Engine stand-in whose list answers only when the test releases it: an engine busy
 * tearing down a stopped container's network is slow to answer, and the tree must not wait.
 */
function fakeEngine() {
  const events = new Emitter<DockerEvent>();
  const notices = new Emitter<EngineNotice>();
  let rows: object[] = [row('running', 'Up 3 seconds')];
  const lists: Array<() => void> = [];
  let listCalls = 0;
  const docker = {
    listContainers: (): Promise<object[]> => {
      listCalls++;
      const answer = rows;
      return new Promise((resolve) => lists.push(() => resolve(answer)));
    },
  };
  const connection = { docker, untimed: docker, call: (_what: string, fn: (d: typeof docker) => Promise<unknown>) => fn(docker) };
  const engine = { onEvent: events.event, onNotice: notices.event, connection: async () => connection } as unknown as Engine;
  let clock = 1_000_000;
  const fire = (action: string, attributes: Record<string, string> = {}): void => {
    clock += 10;
    events.fire(containerEvent(containerId, action, { ...labels, ...attributes }, clock));
  };
  return {
    engine,
    fire,
    setRows: (next: object[]) => (rows = next),
    releaseLists: () => lists.splice(0).forEach((release) => release()),
    listCalls: () => listCalls,
  };
}

const tick = (ms = 0): Promise<void> => sleep(ms);

describe('LiveWorkspaceIndex (fake engine)', () => {
  let index: LiveWorkspaceIndex | undefined;
  afterEach(() => index?.dispose());

  async function readyIndex(fake: ReturnType<typeof fakeEngine>): Promise<LiveWorkspaceIndex> {
    const made = new LiveWorkspaceIndex(fake.engine, 50);
    const synced = made.resync();
    await tick();
    fake.releaseLists();
    await synced;
    return made;
  }

  it('shows a stop from the die event itself, before any engine answer, and lists once per stop burst', async () => {
    const fake = fakeEngine();
    index = await readyIndex(fake);
    assert.equal(index.workspaces[0]?.state, 'running');
    const listsBefore = fake.listCalls();
    const changes: IndexChange[] = [];
    index.onDidChange((change) => changes.push(change));

    fake.setRows([row('exited', 'Exited (129) Less than a second ago')]);
    fake.fire('kill', { signal: '1' });
    fake.fire('die', { exitCode: '129' });
    // No engine answer yet: the state comes from the event.
    assert.equal(index.workspaces[0]?.state, 'exited');
    assert.match(index.workspaces[0]?.status ?? '', /^Exited \(129\)/);
    assert.equal(changes.length, 1);
    assert.ok(changes[0]?.kind === 'workspaces' && changes[0].workspaces[0]?.state === 'exited');

    // The engine's `stop` follows the network teardown; the burst is one list for the status text.
    await tick(20);
    fake.fire('stop');
    await tick(80);
    fake.releaseLists();
    await tick(80);
    fake.releaseLists();
    assert.equal(fake.listCalls() - listsBefore, 1, 'kill, die and stop are one container list');
    assert.equal(index.workspaces[0]?.status, 'Exited (129) Less than a second ago');
  });

  it('an answer asked for before a die but arriving after it does not bring "running" back', async () => {
    const fake = fakeEngine();
    fake.setRows([row('exited', 'Exited (0) 1 minute ago')]);
    index = await readyIndex(fake);
    fake.setRows([row('running', 'Up Less than a second')]);
    fake.fire('start');
    await tick(80); // the list for the start is asked now (it answers "running")…
    fake.fire('kill');
    fake.fire('die', { exitCode: '129' });
    fake.releaseLists(); // …and answers only after the die
    await tick(10);
    assert.equal(index.workspaces[0]?.state, 'exited');
    fake.setRows([row('exited', 'Exited (129) Less than a second ago')]);
    fake.fire('stop');
    await tick(80);
    fake.releaseLists();
    await tick(10);
    assert.equal(index.workspaces[0]?.status, 'Exited (129) Less than a second ago');
  });

  it('shows start, pause and unpause from the events, and a destroy removes the row', async () => {
    const fake = fakeEngine();
    fake.setRows([row('exited', 'Exited (0) 1 minute ago')]);
    index = await readyIndex(fake);
    fake.fire('start');
    assert.equal(index.workspaces[0]?.state, 'running');
    fake.fire('pause');
    assert.equal(index.workspaces[0]?.state, 'paused');
    fake.fire('unpause');
    assert.equal(index.workspaces[0]?.state, 'running');
    fake.fire('destroy');
    assert.equal(index.workspaces.length, 0);
    fake.releaseLists();
  });
});
