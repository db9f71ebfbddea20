import profileJson from '../../policies/seccomp.json';

interface SyscallRule {
  names: string[];
  action: string;
  [key: string]: unknown;
}

interface AicliSeccompProfile {
  defaultAction: string;
  syscalls: SyscallRule[];
  aicliStrictRemovals: string[];
  [key: string]: unknown;
}

const profile = profileJson as AicliSeccompProfile;

/**
 * The profile for a level, as the JSON text the engine takes inline
 * (`seccomp=<json>`). `strict` drops the extra names listed in the policy file.
 * Our own keys (comments, the strict list) are removed: the engine only needs the profile.
 */
export function seccompProfileFor(level: 'standard' | 'strict'): string {
  const removed = new Set(level === 'strict' ? profile.aicliStrictRemovals : []);
  const syscalls = profile.syscalls
    .map(({ comment: _comment, ...rule }) => ({ ...rule, names: rule.names.filter((name) => !removed.has(name)) }))
    .filter((rule) => rule.names.length > 0);
  const { comment: _comment, aicliStrictRemovals: _strict, ...engineProfile } = profile;
  return JSON.stringify({ ...engineProfile, syscalls });
}

export function allowedSyscalls(level: 'standard' | 'strict'): string[] {
  const parsed = JSON.parse(seccompProfileFor(level)) as AicliSeccompProfile;
  return parsed.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ALLOW').flatMap((rule) => rule.names);
}
