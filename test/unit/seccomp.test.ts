import * as assert from 'node:assert/strict';
import { allowedSyscalls, seccompProfileFor } from '../../src/isolation/seccomp';

interface Rule {
  names: string[];
  action: string;
  args?: { index: number; value: number; valueTwo: number; op: string }[];
  [key: string]: unknown;
}

const levels = ['standard', 'strict'] as const;
const parse = (level: 'standard' | 'strict') => JSON.parse(seccompProfileFor(level)) as { defaultAction: string; syscalls: Rule[]; [key: string]: unknown };

/** Never allowed at any level: each is a known container-escape or host-tampering path. */
const forbidden = [
  'mount',
  'umount',
  'umount2',
  'unshare',
  'setns',
  'bpf',
  'perf_event_open',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'keyctl',
  'add_key',
  'request_key',
  'reboot',
  'open_by_handle_at',
  'pivot_root',
  'swapon',
  'swapoff',
  'userfaultfd',
  'fsopen',
  'fsmount',
  'move_mount',
  'open_tree',
  'iopl',
  'ioperm',
];

describe('seccompProfileFor', () => {
  it('is valid JSON without our private keys, at any depth', () => {
    for (const level of levels) {
      const text = seccompProfileFor(level);
      const profile = parse(level);
      assert.equal('comment' in profile, false, level);
      assert.equal('aicliStrictRemovals' in profile, false, level);
      for (const rule of profile.syscalls) assert.equal('comment' in rule, false, `${level}: ${rule.names.join(',')}`);
      assert.doesNotMatch(text, /"comment"|"aicliStrictRemovals"/);
    }
  });

  it('denies by default and keeps the arch map', () => {
    for (const level of levels) {
      const profile = parse(level);
      assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
      assert.ok(Array.isArray(profile.archMap) && (profile.archMap as unknown[]).length > 0, level);
      assert.ok(
        profile.syscalls.every((rule) => rule.names.length > 0),
        `${level}: a rule with no names`,
      );
    }
  });

  it('never allows the dangerous syscalls', () => {
    for (const level of levels) {
      const allowed = new Set(allowedSyscalls(level));
      for (const name of forbidden) assert.equal(allowed.has(name), false, `${level} allows ${name}`);
    }
    assert.equal(new Set(allowedSyscalls('strict')).has('ptrace'), false);
    assert.equal(new Set(allowedSyscalls('strict')).has('personality'), false);
  });

  it('allows what ordinary programs need', () => {
    for (const level of levels) {
      const allowed = new Set(allowedSyscalls(level));
      for (const name of ['read', 'write', 'openat', 'close', 'mmap', 'execve', 'exit_group', 'futex', 'clone', 'wait4', 'socket', 'connect']) {
        assert.ok(allowed.has(name), `${level} lacks ${name}`);
      }
    }
  });

  it('allows clone only without namespace flags, and makes clone3 fall back with ENOSYS', () => {
    for (const level of levels) {
      const rules = parse(level).syscalls;
      const clone = rules.filter((rule) => rule.names.includes('clone'));
      assert.equal(clone.length, 1, level);
      assert.equal(clone[0]!.action, 'SCMP_ACT_ALLOW');
      const namespaces = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
      assert.deepEqual(clone[0]!.args, [{ index: 0, value: namespaces, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
      const clone3 = rules.find((rule) => rule.names.includes('clone3'));
      assert.equal(clone3?.action, 'SCMP_ACT_ERRNO');
      assert.equal(clone3?.errnoRet, 38);
    }
  });

  it('strict allows a strict subset of standard, without ptrace and personality', () => {
    const standard = new Set(allowedSyscalls('standard'));
    const strict = new Set(allowedSyscalls('strict'));
    assert.ok(standard.has('ptrace') && standard.has('personality'));
    for (const name of strict) assert.ok(standard.has(name), `strict allows ${name} but standard does not`);
    assert.ok(strict.size < standard.size);
  });

  it('returns the same text each time', () => {
    assert.equal(seccompProfileFor('strict'), seccompProfileFor('strict'));
    assert.notEqual(seccompProfileFor('strict'), seccompProfileFor('standard'));
  });
});
