import * as assert from 'node:assert/strict';
import { EngineInfo } from '../../src/engine/connection';
import { choosePlacement, engineShortcomings, PlacementCandidate } from '../../src/engine/placement';
import { InputError } from '../../src/engine/errors';

const capable: EngineInfo = { NCPU: 4, MemoryLimit: true, PidsLimit: true, SecurityOptions: ['name=seccomp,profile=default'] };
/** null: the engine did not answer. */
const candidate = (name: string, running: number, info: EngineInfo | null = capable, error?: string): PlacementCandidate => ({
  name,
  running,
  info: info ?? undefined,
  error,
});

describe('placement', () => {
  it('names what an engine lacks for isolation', () => {
    assert.deepEqual(engineShortcomings(capable), []);
    assert.deepEqual(engineShortcomings({ MemoryLimit: false, PidsLimit: false, SecurityOptions: [] }), [
      'memory limits (the kernel has no memory cgroup)',
      'pids limits',
      'seccomp',
    ]);
  });

  it('least-loaded takes the fewest running workspaces per CPU, the default engine winning a tie', () => {
    assert.equal(choosePlacement([candidate('default', 4), candidate('big', 4, { ...capable, NCPU: 16 })], 'least-loaded').name, 'big');
    assert.equal(choosePlacement([candidate('other', 0), candidate('default', 0)], 'least-loaded').name, 'default');
  });

  it('skips engines that are down or cannot isolate, and says why when none is left', () => {
    const down = candidate('down', 0, null, 'The Docker engine at tcp://x:2376 is not running (connection refused).');
    const weak = candidate('weak', 0, { ...capable, SecurityOptions: [] });
    assert.equal(choosePlacement([down, weak, candidate('default', 9)], 'least-loaded').name, 'default');
    assert.throws(
      () => choosePlacement([down, weak], 'least-loaded'),
      (err: unknown) =>
        err instanceof InputError &&
        err.message ===
          'No engine can take the workspace (down: The Docker engine at tcp://x:2376 is not running (connection refused).; weak: cannot enforce seccomp).',
    );
  });

  it('default placement stays on the default engine, and refuses rather than moving when it cannot', () => {
    assert.equal(choosePlacement([candidate('default', 50), candidate('idle', 0)], 'default').name, 'default');
    assert.throws(
      () => choosePlacement([candidate('default', 0, { ...capable, MemoryLimit: false }), candidate('idle', 0)], 'default'),
      /The default engine cannot take the workspace \(default: cannot enforce memory limits/,
    );
  });
});
