import * as assert from 'node:assert/strict';
import { isolationPlan, levelProfiles } from '../../src/isolation/levels';
import { checkRuntimeSetting, engineRuntimes, gvisorDaemonSnippet, runtimeFor } from '../../src/isolation/runtime';
import { parseResources } from '../../src/isolation/resources';

const host = 'unix:///var/run/docker.sock';
const withGvisor = ['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc', 'runsc'];
const withoutGvisor = ['io.containerd.runc.v2', 'io.containerd.runtime.v1.linux', 'runc'];

describe('runtimes', () => {
  it('sandboxed is strict on gVisor; the other levels keep the engine default unless asked', () => {
    assert.deepEqual({ ...levelProfiles.sandboxed, gvisor: false }, levelProfiles.strict);
    assert.equal(runtimeFor('sandboxed', 'auto', withGvisor, host), 'runsc');
    assert.equal(runtimeFor('sandboxed', 'runsc', withGvisor, host), 'runsc');
    for (const level of ['basic', 'standard', 'strict'] as const) {
      assert.equal(runtimeFor(level, 'auto', withoutGvisor, host), undefined, level);
      assert.equal(runtimeFor(level, 'runc', withoutGvisor, host), 'runc', level);
      assert.equal(runtimeFor(level, 'runsc', withGvisor, host), 'runsc', level);
    }
  });

  it('the plan carries the runtime to the engine, and nothing when it is the default', () => {
    const base = {
      resources: parseResources({}, 2),
      features: { seccomp: true, apparmor: false, selinux: false },
      folder: '/home/u/p',
      networkName: 'n',
      ports: [],
    };
    const sandboxed = isolationPlan({ ...base, level: 'sandboxed', runtime: 'runsc' });
    assert.equal(sandboxed.hostConfig.Runtime, 'runsc');
    assert.equal(sandboxed.hostConfig.ReadonlyRootfs, true);
    assert.equal(sandboxed.user, '1000:1000');
    const strict = isolationPlan({ ...base, level: 'strict' });
    assert.equal(strict.hostConfig.Runtime, undefined);
    assert.deepEqual(sandboxed.hostConfig.SecurityOpt, strict.hostConfig.SecurityOpt, 'the strict seccomp profile, inside the sandbox');
  });

  it('an engine without gVisor refuses the sandboxed level with the daemon.json lines that add it', () => {
    assert.throws(
      () => runtimeFor('sandboxed', 'auto', withoutGvisor, host),
      (err: Error) => {
        assert.equal(err.name, 'InputError');
        assert.match(
          err.message,
          /The sandboxed level runs on gVisor, and the engine at unix:\/\/\/var\/run\/docker.sock has no "runsc" runtime \(it has io.containerd.runc.v2, io.containerd.runtime.v1.linux, runc\)/,
        );
        assert.ok(err.message.includes(gvisorDaemonSnippet), err.message);
        assert.match(err.message, /apt-get install runsc/);
        return true;
      },
    );
    assert.throws(() => runtimeFor('standard', 'runsc', withoutGvisor, host), /aicli.isolation.runtime asks for runsc, and the engine/);
  });

  it('runc and the sandboxed level contradict each other: refused, naming both ways out', () => {
    assert.throws(
      () => runtimeFor('sandboxed', 'runc', withGvisor, host),
      /runs on gVisor \(runsc\), but the runtime is set to runc .* Set it to auto or runsc, or choose the strict level/,
    );
  });

  it('reads the setting and the engine list strictly', () => {
    assert.equal(checkRuntimeSetting(undefined), 'auto');
    assert.equal(checkRuntimeSetting(' runsc '), 'runsc');
    assert.throws(() => checkRuntimeSetting('kata'), /Runtime "kata" is not one of auto, runc, runsc/);
    assert.deepEqual(engineRuntimes({ Runtimes: { runsc: {}, runc: { path: 'runc' } } }), ['runc', 'runsc']);
    assert.deepEqual(engineRuntimes({}), []);
    const snippet = JSON.parse(gvisorDaemonSnippet) as { runtimes: { runsc: { runtimeArgs: string[] } } };
    assert.deepEqual(snippet.runtimes.runsc.runtimeArgs, ['--platform=ptrace', '--oci-seccomp']);
  });
});
