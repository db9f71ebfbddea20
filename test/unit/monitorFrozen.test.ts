import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineConnection } from '../../src/engine/connection';
import { findFreezerFiles, FrozenProbe, unfreezeCommand, unfreezeLocally, unfreezeScript } from '../../src/monitor/frozen';

const id = 'a'.repeat(64);
const never = new Promise<never>(() => {});

/** A fake engine whose inspect and list answer (or hang) as told; unit tests may fake the engine. */
function fakeConnection(answers: { inspect: boolean; list: boolean }): () => Promise<EngineConnection> {
  const docker = {
    getContainer: () => ({ inspect: () => (answers.inspect ? Promise.resolve({}) : never) }),
    listContainers: () => (answers.list ? Promise.resolve([]) : never),
  };
  // The probe asks through the engine's typed functions, which run their call on the timed client.
  const call = (_what: string, fn: (d: typeof docker) => Promise<unknown>) => fn(docker);
  return async () => ({ docker, call }) as unknown as EngineConnection;
}

function probeOutcome(answers: { inspect: boolean; list: boolean }, stillPaused = true): Promise<string[]> {
  const frozen: string[] = [];
  const probe = new FrozenProbe(fakeConnection(answers), { delayMs: 5, timeoutMs: 60, stillPaused: () => stillPaused, onFrozen: (c) => frozen.push(c) });
  probe.afterPause(id);
  return new Promise((resolve) => setTimeout(() => (probe.dispose(), resolve(frozen)), 200));
}

describe('frozen workspace (exec frozen half-way by a pause)', () => {
  it('reports a paused container whose inspect hangs while the list answers', async () => {
    assert.deepEqual(await probeOutcome({ inspect: false, list: true }), [id]);
  });

  it('stays quiet when inspect answers, when the whole engine hangs, or when it was unpaused meanwhile', async () => {
    assert.deepEqual(await probeOutcome({ inspect: true, list: true }), []);
    assert.deepEqual(await probeOutcome({ inspect: false, list: false }), []);
    assert.deepEqual(await probeOutcome({ inspect: false, list: true }, false), []);
  });

  it('builds a root command only from a full container id', () => {
    assert.match(unfreezeCommand(id), /^sudo sh -c '.*freezer\.state.*cgroup\.freeze.*'$/);
    assert.throws(() => unfreezeScript("x'; rm -rf / #"), /not a full container id/);
    assert.throws(() => unfreezeScript('abc'), /not a full container id/);
  });

  describe('on a cgroup tree', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'acf-cgroup-'));
      // v1: one directory per controller, only the freezer one has freezer.state
      for (const controller of ['memory', 'freezer', 'pids']) mkdirSync(join(root, controller, 'docker', id), { recursive: true });
      writeFileSync(join(root, 'freezer', 'docker', id, 'freezer.state'), 'FROZEN');
      // a hybrid host: the same container in the v2 hierarchy too, which must stay untouched
      mkdirSync(join(root, 'unified', 'docker', id), { recursive: true });
      writeFileSync(join(root, 'unified', 'docker', id, 'cgroup.freeze'), '0');
      // v2 under systemd, for another container
      mkdirSync(join(root, 'system.slice', `docker-${'b'.repeat(64)}.scope`), { recursive: true });
      writeFileSync(join(root, 'system.slice', `docker-${'b'.repeat(64)}.scope`, 'cgroup.freeze'), '1');
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('finds the freezer file of the container (v1 and v2 layouts) and nothing else', async () => {
      assert.deepEqual(await findFreezerFiles(id, root), [join(root, 'freezer', 'docker', id, 'freezer.state')]);
      assert.deepEqual(await findFreezerFiles('b'.repeat(64), root), [join(root, 'system.slice', `docker-${'b'.repeat(64)}.scope`, 'cgroup.freeze')]);
      assert.deepEqual(await findFreezerFiles('c'.repeat(64), root), []);
    });

    it('thaws, waits, and freezes again (what the engine believes)', async () => {
      const file = join(root, 'freezer', 'docker', id, 'freezer.state');
      const seen: string[] = [];
      const watching = setInterval(() => seen.push(readFileSync(file, 'utf8')), 5);
      const written = await unfreezeLocally(id, 100, root);
      clearInterval(watching);
      assert.deepEqual(written, [file]);
      assert.ok(seen.includes('THAWED'), `the file went through THAWED: ${[...new Set(seen)].join(', ')}`);
      assert.equal(readFileSync(file, 'utf8'), 'FROZEN');
      assert.equal(readFileSync(join(root, 'unified', 'docker', id, 'cgroup.freeze'), 'utf8'), '0', 'the v2 file of a hybrid host is left alone');
    });

    it('the shell script does the same to the same file', () => {
      const script = unfreezeScript(id).replaceAll('/sys/fs/cgroup', root);
      execFileSync('sh', ['-c', script.replaceAll('sleep 1', 'sleep 0')]);
      assert.equal(readFileSync(join(root, 'freezer', 'docker', id, 'freezer.state'), 'utf8').trim(), 'FROZEN');
      assert.equal(readFileSync(join(root, 'unified', 'docker', id, 'cgroup.freeze'), 'utf8').trim(), '0');
      const script2 = unfreezeScript('b'.repeat(64)).replaceAll('/sys/fs/cgroup', root);
      execFileSync('sh', ['-c', script2.replaceAll('sleep 1', 'sleep 0')]);
      assert.equal(readFileSync(join(root, 'system.slice', `docker-${'b'.repeat(64)}.scope`, 'cgroup.freeze'), 'utf8').trim(), '1');
      assert.throws(
        () => execFileSync('sh', ['-c', unfreezeScript('c'.repeat(64)).replaceAll('/sys/fs/cgroup', root)], { stdio: 'pipe' }),
        /no cgroup of the container here/,
      );
    });
  });
});
