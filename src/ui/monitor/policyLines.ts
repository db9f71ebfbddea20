import { InspectedContainer, inspectFacts, SeccompState } from '../../monitor/inspectFacts';
import { PolicyItem } from '../../monitor/alerts';
import { ProjectMountMode } from '../../isolation/projectMount';

type SecurityItem = Extract<PolicyItem, 'privileged' | 'engineSocket' | 'noNewPrivileges' | 'seccomp' | 'hostNamespaces'>;

const seccompText: Record<SeccompState, string> = { unconfined: 'UNCONFINED', aicli: 'AICLI profile', custom: 'custom profile', default: 'engine default' };

/**
 * The policy document's security lines, from the same inspect facts the audit alerts on
 * (vscode-free so a unit test can hold the two side by side). Capitals mark what the audit flags.
 */
export function policySecurityLines(info: InspectedContainer, engineSockets: string[]): Record<SecurityItem, string> {
  const facts = inspectFacts(info, engineSockets);
  return {
    privileged: facts.privileged ? 'YES' : 'no',
    engineSocket: facts.engineSocketMounts.length ? `MOUNTED (${facts.engineSocketMounts.join(', ')})` : 'not mounted',
    noNewPrivileges: facts.noNewPrivileges ? 'on' : 'OFF',
    seccomp: seccompText[facts.seccomp],
    hostNamespaces: facts.hostNamespaces.length ? `HOST ${facts.hostNamespaces.join(', ')}` : 'none shared',
  };
}

const projectMountText: Record<ProjectMountMode, string> = {
  review: 'review (its own view; the folder is written on apply)',
  copy: 'copy (a volume the folder was copied into at create; nothing comes back to the folder)',
  bind: 'bind (the folder itself, read-write; protected paths read-only)',
};

/**
 * How the box sees the project folder, from its aicli.workspace.mount label: one wording for
 * the tree's details and the policy document. No label: made before mount modes, a bind.
 */
export function projectMountLine(label: string | undefined): string {
  return projectMountText[(label ?? 'bind') as ProjectMountMode] ?? label ?? 'bind';
}
