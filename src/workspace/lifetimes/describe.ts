import { CleanupPlan, describeCleanupPlan } from '../cleanup';
import { formatSpan, idleCpuPercent } from './rules';
import { LifetimeWarning } from './workspaceLifetime';

const settingOf = (warning: LifetimeWarning): string => `aicli.lifetime.${warning.rule}`;
const sessions = (count: number): string => (count === 1 ? '1 open session ends' : `${count} open sessions end`);

/** The notice before a stop: what, since when, when, and which setting says so. */
export function describeWarning(warning: LifetimeWarning, now: number): string {
  const inMs = formatSpan(Math.max(0, warning.stopAt - now));
  const name = warning.workspace.name;
  if (warning.rule === 'idleStop') {
    return `Workspace ${name} has been idle for ${formatSpan(now - warning.since)} (no session, CPU under ${idleCpuPercent} %) and will be stopped in ${inMs} (${settingOf(warning)}).`;
  }
  const open = warning.openSessions > 0 ? `; ${sessions(warning.openSessions)} with it` : '';
  return `Workspace ${name} has been running for ${formatSpan(now - warning.since)} and will be stopped in ${inMs} (${settingOf(warning)})${open}.`;
}

/** What a stop by the lifetimes is said with afterwards. */
export function describeStop(warning: LifetimeWarning): string {
  const why = warning.rule === 'idleStop' ? `idle for ${formatSpan(warning.limitMs)}` : `running for ${formatSpan(warning.limitMs)}`;
  return `Stopped workspace ${warning.workspace.name}: ${why} (${settingOf(warning)}). Its files and state are kept; start it again from the Workspaces view.`;
}

/** The periodic cleanup's notice: the counts, and the names of the workspaces it removes. */
export function describeCleanupNotice(plans: { engine?: string; plan: CleanupPlan }[], inMs: number): string {
  const count = (n: number, what: string): string => (n === 0 ? '' : `${n} ${what}${n === 1 ? '' : 's'}`);
  const workspaces = plans.flatMap(({ engine, plan }) => plan.workspaces.map((ws) => (engine ? `${engine}: ${ws.name}` : ws.name)));
  const total = (pick: (plan: CleanupPlan) => unknown[]): number => plans.reduce((sum, { plan }) => sum + pick(plan).length, 0);
  const parts = [
    workspaces.length ? `${count(workspaces.length, 'exited workspace')} (${workspaces.slice(0, 5).join(', ')}${workspaces.length > 5 ? ', …' : ''})` : '',
    count(total((plan) => plan.gateways) + total((plan) => plan.networks), 'orphaned network or gateway'),
    count(
      total((plan) => plan.images),
      'dangling image',
    ),
    count(
      total((plan) => plan.volumes),
      'unused volume',
    ),
  ].filter((part) => part !== '');
  return `The periodic cleanup (aicli.cleanup.interval) will remove in ${formatSpan(inMs)}: ${parts.join(', ')}. Project folders are never touched; the list is in the AICLI log.`;
}

/** Every line of the plans, for the log. */
export function cleanupNoticeLines(plans: { engine?: string; plan: CleanupPlan }[]): string[] {
  return plans.flatMap(({ engine, plan }) => describeCleanupPlan(plan).map((line) => (engine ? `${engine}: ${line}` : line)));
}
