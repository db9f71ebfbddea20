import * as assert from 'node:assert/strict';
import {
  EngineFeatures,
  IsolationInput,
  IsolationLevel,
  isolationLevels,
  isolationPlan,
  levelProfiles,
  restartRetries,
  strictTmpfs,
} from '../../src/isolation/levels';
import { parsePortMapping } from '../../src/isolation/ports';

const allFeatures: EngineFeatures = { seccomp: true, apparmor: true, selinux: false };
const noFeatures: EngineFeatures = { seccomp: false, apparmor: false, selinux: false };

function input(level: IsolationLevel, overrides: Partial<IsolationInput> = {}): IsolationInput {
  return {
    level,
    resources: { cpus: 1.5, memoryBytes: 536870912, pidsLimit: 100, blkioWeight: 500 },
    features: allFeatures,
    folder: '/home/u/project',
    networkName: 'aicli-workspace-abcd123456',
    ports: [],
    ...overrides,
  };
}

function seccompOf(securityOpt: string[] | undefined): { syscalls: { names: string[]; action: string }[] } | undefined {
  const option = (securityOpt ?? []).find((opt) => opt.startsWith('seccomp='));
  return option === undefined ? undefined : JSON.parse(option.slice('seccomp='.length));
}

function allowed(profile: { syscalls: { names: string[]; action: string }[] }): Set<string> {
  return new Set(profile.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ALLOW').flatMap((rule) => rule.names));
}

describe('isolationPlan', () => {
  it('drops ALL capabilities and adds back exactly the level profile', () => {
    assert.deepEqual(isolationLevels, ['basic', 'standard', 'strict', 'sandboxed']);
    assert.deepEqual(levelProfiles.strict.capabilities, []);
    for (const level of isolationLevels) {
      const { hostConfig } = isolationPlan(input(level));
      assert.deepEqual(hostConfig.CapDrop, ['ALL'], level);
      assert.deepEqual(hostConfig.CapAdd, levelProfiles[level].capabilities, level);
      assert.equal(hostConfig.Privileged, false, level);
      assert.ok(hostConfig.SecurityOpt?.includes('no-new-privileges=true'), level);
      assert.equal(hostConfig.SecurityOpt?.[0], 'no-new-privileges=true', level);
    }
    assert.ok(!levelProfiles.standard.capabilities.some((cap) => ['SYS_ADMIN', 'NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'].includes(cap)));
  });

  it('uses the engine default seccomp at basic, with no note', () => {
    const plan = isolationPlan(input('basic'));
    assert.equal(seccompOf(plan.hostConfig.SecurityOpt), undefined);
    assert.ok(!plan.notes.some((note) => /seccomp/.test(note)));
  });

  it('passes our profile at standard and strict; strict lacks personality and ptrace', () => {
    const standard = seccompOf(isolationPlan(input('standard')).hostConfig.SecurityOpt);
    const strict = seccompOf(isolationPlan(input('strict')).hostConfig.SecurityOpt);
    assert.ok(standard && strict);
    assert.ok(allowed(standard).has('personality') && allowed(standard).has('ptrace'));
    assert.ok(!allowed(strict).has('personality') && !allowed(strict).has('ptrace'));
    assert.ok(allowed(strict).has('read') && allowed(strict).has('execve'));
    assert.equal((standard as Record<string, unknown>).defaultAction, 'SCMP_ACT_ERRNO');
  });

  it('leaves seccomp out, with a note, when the engine has none', () => {
    for (const level of ['standard', 'strict'] as const) {
      const plan = isolationPlan(input(level, { features: { ...allFeatures, seccomp: false } }));
      assert.equal(seccompOf(plan.hostConfig.SecurityOpt), undefined);
      assert.ok(plan.notes.includes('The engine has no seccomp support: the workspace runs without a syscall filter.'));
    }
  });

  it('applies AppArmor or SELinux only when the engine offers it, and notes when neither is there', () => {
    const mac = (features: EngineFeatures) => {
      const plan = isolationPlan(input('standard', { features }));
      return { opts: (plan.hostConfig.SecurityOpt ?? []).filter((opt: string) => !opt.startsWith('seccomp=')), notes: plan.notes };
    };
    const macNote = 'AppArmor and SELinux are not available on this engine; no MAC profile applied.';
    assert.deepEqual(mac({ seccomp: true, apparmor: true, selinux: false }), { opts: ['no-new-privileges=true', 'apparmor=docker-default'], notes: [] });
    assert.deepEqual(mac({ seccomp: true, apparmor: false, selinux: true }), { opts: ['no-new-privileges=true', 'label=type:container_t'], notes: [] });
    assert.deepEqual(mac({ seccomp: true, apparmor: false, selinux: false }), { opts: ['no-new-privileges=true'], notes: [macNote] });
    assert.deepEqual(mac(noFeatures).notes, ['The engine has no seccomp support: the workspace runs without a syscall filter.', macNote]);
  });

  it('makes the root filesystem read-only with tmpfs and runs as 1000:1000 only at strict and sandboxed', () => {
    for (const level of isolationLevels) {
      const plan = isolationPlan(input(level));
      const strict = level === 'strict' || level === 'sandboxed';
      assert.equal(plan.hostConfig.ReadonlyRootfs, strict, level);
      assert.deepEqual(plan.hostConfig.Tmpfs, strict ? strictTmpfs : undefined, level);
      assert.equal(plan.user, strict ? '1000:1000' : undefined, level);
    }
    assert.deepEqual(Object.keys(strictTmpfs).sort(), ['/run', '/tmp']);
    for (const options of Object.values(strictTmpfs)) assert.match(options, /nosuid/);
  });

  it('sets CPU, memory (no extra swap), pids and blkio limits', () => {
    const { hostConfig } = isolationPlan(input('standard', { resources: { cpus: 1.5, memoryBytes: 1073741824, pidsLimit: 256, blkioWeight: 300 } }));
    assert.equal(hostConfig.CpuPeriod, 100000);
    assert.equal(hostConfig.CpuQuota, 150000);
    assert.equal(hostConfig.Memory, 1073741824);
    assert.equal(hostConfig.MemorySwap, hostConfig.Memory);
    assert.equal(hostConfig.PidsLimit, 256);
    assert.equal(hostConfig.BlkioWeight, 300);
    assert.equal(hostConfig.OomKillDisable, false);
    const small = isolationPlan(input('basic', { resources: { cpus: 0.01, memoryBytes: 1, pidsLimit: 1, blkioWeight: 10 } })).hostConfig;
    assert.equal(small.CpuQuota, 1000);
    assert.ok(
      Number.isInteger(isolationPlan(input('basic', { resources: { cpus: 0.333333, memoryBytes: 1, pidsLimit: 1, blkioWeight: 10 } })).hostConfig.CpuQuota),
    );
  });

  it('runs an init, restarts on failure a bounded number of times, and keeps IPC private', () => {
    const { hostConfig } = isolationPlan(input('basic'));
    assert.equal(hostConfig.Init, true);
    assert.ok(restartRetries > 0 && restartRetries <= 10);
    assert.deepEqual(hostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: restartRetries });
    assert.equal(hostConfig.IpcMode, 'private');
    assert.equal(hostConfig.NetworkMode, 'aicli-workspace-abcd123456');
  });

  it('bind-mounts only the folder at /workspace with rprivate propagation', () => {
    const { hostConfig } = isolationPlan(input('strict'));
    assert.deepEqual(hostConfig.Mounts, [
      { Type: 'bind', Source: '/home/u/project', Target: '/workspace', ReadOnly: false, BindOptions: { Propagation: 'rprivate' } },
    ]);
    assert.equal(hostConfig.Binds, undefined);
  });

  it('mounts the engine socket only when one is given', () => {
    const { hostConfig } = isolationPlan(input('basic', { engineSocket: '/run/user/1000/docker.sock' }));
    assert.equal(hostConfig.Mounts?.length, 2);
    assert.deepEqual(hostConfig.Mounts?.[1], { Type: 'bind', Source: '/run/user/1000/docker.sock', Target: '/var/run/docker.sock', ReadOnly: false });
    for (const level of isolationLevels) {
      assert.ok(!isolationPlan(input(level)).hostConfig.Mounts?.some((mount) => mount.Target === '/var/run/docker.sock'), level);
    }
  });

  it('publishes ports on the given host address and exposes them', () => {
    const ports = [parsePortMapping('8888:8080'), parsePortMapping('0.0.0.0:9999:8080'), parsePortMapping('5353:53/udp')];
    const plan = isolationPlan(input('standard', { ports }));
    assert.deepEqual(plan.exposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(plan.hostConfig.PortBindings, {
      '8080/tcp': [
        { HostIp: '127.0.0.1', HostPort: '8888' },
        { HostIp: '0.0.0.0', HostPort: '9999' },
      ],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    });
    const none = isolationPlan(input('standard'));
    assert.deepEqual(none.exposedPorts, {});
    assert.deepEqual(none.hostConfig.PortBindings, {});
  });

  it('is deterministic for the same input', () => {
    for (const level of isolationLevels) assert.deepEqual(isolationPlan(input(level)), isolationPlan(input(level)), level);
  });
});
