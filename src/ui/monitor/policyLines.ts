import { InspectedContainer, inspectFacts, SeccompState } from '../../monitor/inspectFacts';
import { PolicyItem } from '../../monitor/alerts';

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
