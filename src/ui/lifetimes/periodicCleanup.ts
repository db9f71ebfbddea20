import * as vscode from 'vscode';
import { asActor } from '../../audit/sink';
import { CleanupPlan, CleanupResult, isEmptyPlan } from '../../workspace/cleanup';
import { cleanupRunFile, CleanupSchedule, namedAndStillDue } from '../../workspace/lifetimes/cleanupSchedule';
import { cleanupNoticeLines, describeCleanupNotice } from '../../workspace/lifetimes/describe';
import { KeeperLock, keeperLockPath } from '../../workspace/lifetimes/keeper';
import { EngineScope } from '../../workspace/scope';
import { CommandContext } from '../commands/context';
import { CommandRun } from '../commands/kernel';
import { planEveryEngine } from '../commands/maintenance';

/** How long the notice stands before the cleanup removes what it names. */
export const cleanupNoticeMs = 60_000;

type Answer = 'skip' | 'now' | 'timeout';

/** The notice with its two buttons; closing it without one leaves the countdown running. */
async function askWithin(message: string, leadMs: number): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Answer>((resolve) => (timer = setTimeout(() => resolve('timeout'), leadMs)));
  const shown = vscode.window
    .showWarningMessage(message, 'Skip This Run', 'Clean Up Now')
    .then((picked): Answer | Promise<Answer> => (picked === 'Skip This Run' ? 'skip' : picked === 'Clean Up Now' ? 'now' : timeout));
  const answer = await Promise.race([shown, timeout]);
  clearTimeout(timer);
  return answer;
}

async function planned(context: CommandContext): Promise<{ scope: EngineScope; plan: CleanupPlan }[] | undefined> {
  try {
    return await planEveryEngine(context, new CommandRun());
  } catch (err) {
    context.log.warn(`periodic cleanup: cannot plan (${(err as Error).message}); it runs again at the next interval`);
    return undefined;
  }
}

/**
 * One run of aicli.cleanup.interval: the cleanup's plan on every engine (the same plan as Clean
 * Up), a notice naming what it will remove with Skip This Run and Clean Up Now, then — a minute
 * later, or at the click — the removal of what the notice named and still qualifies (planned
 * again: a workspace started meanwhile is not removed). Recorded (cleanup.apply, trigger
 * interval) per engine; a skipped run too, as cancelled.
 */
export async function runPeriodicCleanup(context: CommandContext, leadMs = cleanupNoticeMs): Promise<void> {
  const named = await planned(context);
  if (!named) return;
  if (named.length === 0) return context.log.info('periodic cleanup: nothing to remove');
  const several = context.scopes.all.length > 1;
  const entries = named.map(({ scope, plan }) => ({ engine: several ? scope.name : undefined, plan }));
  cleanupNoticeLines(entries).forEach((line) => context.log.info(`periodic cleanup: will remove ${line}`));
  const answer = await askWithin(describeCleanupNotice(entries, leadMs), leadMs);
  if (answer === 'skip') {
    named.forEach(({ scope }) => scope.audit.record({ type: 'cleanup.apply', trigger: 'interval', outcome: 'cancelled', removed: [] }));
    return context.log.info('periodic cleanup: this run skipped');
  }
  const fresh = (await planned(context)) ?? [];
  const results = await Promise.all(
    fresh.map(({ scope, plan }): Promise<CleanupResult> | undefined => {
      const before = named.find((entry) => entry.scope === scope);
      const due = before && namedAndStillDue(before.plan, plan);
      if (!due || isEmptyPlan(due)) return undefined;
      const apply = (): Promise<CleanupResult> => scope.cleanup.apply(due, 'interval');
      // Unanswered, the removal is the extension's own act; Clean Up Now is the person's.
      return answer === 'now' ? apply() : asActor('monitor', apply);
    }),
  );
  const removed = results.flatMap((result) => result?.removed ?? []);
  const failed = results.flatMap((result) => result?.failed ?? []);
  removed.forEach((item) => context.log.info(`periodic cleanup: removed ${item}`));
  failed.forEach(({ item, message }) => context.log.warn(`periodic cleanup: could not remove ${item}: ${message}`));
  context.scopes.all.forEach((scope) => void scope.index.resync());
  if (failed.length > 0) {
    const picked = await vscode.window.showErrorMessage(`The periodic cleanup could not remove ${failed.length} item(s).`, 'Show Log');
    if (picked) context.log.show(true);
  } else if (removed.length > 0) {
    void vscode.window.showInformationMessage(`The periodic cleanup removed ${removed.length} item(s) (aicli.cleanup.interval); see the AICLI log.`);
  }
}

/**
 * aicli.cleanup.interval in this window: while it is set, the window that holds the cleanup's
 * keeper lock (one of all the windows) runs the schedule.
 */
export class PeriodicCleanup implements vscode.Disposable {
  private keeper: KeeperLock | undefined;
  private schedule: CleanupSchedule | undefined;

  constructor(
    private readonly context: CommandContext,
    private readonly intervalMs: () => number | undefined,
    private readonly stateDir: string,
  ) {
    this.refresh();
  }

  refresh(): void {
    if (!this.intervalMs()) return this.dispose();
    if (!this.keeper) {
      const keeper = (this.keeper = new KeeperLock(keeperLockPath(this.stateDir, 'cleanup'), { log: this.context.log }));
      keeper.onDidChange((held) => (held ? this.start() : this.stopSchedule()));
      if (keeper.held) this.start();
    }
    this.schedule?.refresh();
  }

  dispose(): void {
    this.stopSchedule();
    this.keeper?.dispose();
    this.keeper = undefined;
  }

  private start(): void {
    this.schedule ??= new CleanupSchedule(cleanupRunFile(this.stateDir), this.intervalMs, () => runPeriodicCleanup(this.context));
  }

  private stopSchedule(): void {
    this.schedule?.dispose();
    this.schedule = undefined;
  }
}
