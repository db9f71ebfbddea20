import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { stateDirectory } from '../../audit/location';
import { KeeperLock, keeperLockPath } from '../../workspace/lifetimes/keeper';
import { WorkspaceLifetimes } from '../../workspace/lifetimes/lifetimes';
import { LifetimeSettings } from '../../workspace/lifetimes/rules';
import { scopeLifetimeSource } from '../../workspace/lifetimes/source';
import { EngineScope } from '../../workspace/scope';
import { CommandContext } from '../commands/context';
import { cachedSettings, readLifetimeSettings } from '../settings';
import { showLifetimeNotices } from './notices';
import { PeriodicCleanup } from './periodicCleanup';

const sections = ['aicli.lifetime', 'aicli.cleanup.interval'];

/**
 * The lifetimes of one engine's workspaces in this window: while a lifetime setting is on and
 * the engine is connected, the window that holds the engine's keeper lock (keyed by its host,
 * so two windows agree) runs them and shows their notices.
 */
class ScopeLifetimes implements vscode.Disposable {
  private keeper: KeeperLock | undefined;
  private lifetimes: WorkspaceLifetimes | undefined;
  private notices: vscode.Disposable[] = [];
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly scope: EngineScope,
    private readonly settings: () => LifetimeSettings,
    private readonly log: vscode.LogOutputChannel,
    private readonly stateDir: string,
  ) {
    this.subscription = scope.engine.onDidChangeState((state) => state.kind === 'connected' && this.refresh());
    this.refresh();
  }

  get current(): WorkspaceLifetimes | undefined {
    return this.lifetimes;
  }

  refresh(): void {
    const { idleStopMs, maxAgeMs } = this.settings();
    if (!idleStopMs && !maxAgeMs) return this.release();
    if (!this.keeper && this.scope.engine.state.kind === 'connected') {
      const host = this.scope.engine.target?.host ?? this.scope.name;
      const keeper = (this.keeper = new KeeperLock(keeperLockPath(this.stateDir, `engine ${host}`), { log: this.log }));
      keeper.onDidChange((held) => (held ? this.start() : this.stop()));
      if (keeper.held) this.start();
    }
    this.lifetimes?.refresh();
  }

  dispose(): void {
    this.subscription.dispose();
    this.release();
  }

  private start(): void {
    if (this.lifetimes) return;
    this.lifetimes = new WorkspaceLifetimes(scopeLifetimeSource(this.scope), { settings: this.settings, audit: this.scope.audit, log: this.log });
    this.notices = showLifetimeNotices(this.lifetimes, this.log);
  }

  private stop(): void {
    this.notices.splice(0).forEach((notice) => notice.dispose());
    this.lifetimes?.dispose();
    this.lifetimes = undefined;
  }

  private release(): void {
    this.stop();
    this.keeper?.dispose();
    this.keeper = undefined;
  }
}

/**
 * aicli.lifetime.* on every engine's workspaces and aicli.cleanup.interval (src/workspace/lifetimes):
 * each scope gets its part (made for the scopes there are and for each new one), the settings
 * are read once and again on a change, and a value that is no duration is said once.
 */
export function registerLifetimes(context: CommandContext): {
  subscriptions: vscode.Disposable[];
  lifetimesOf: (scope: EngineScope) => WorkspaceLifetimes | undefined;
} {
  const stateDir = stateDirectory(process.env, homedir());
  const settings = cachedSettings(sections, readLifetimeSettings);
  const parts = new Map<EngineScope, ScopeLifetimes>();
  const lifetimeSettings = (): LifetimeSettings => settings.get().lifetimes;
  const sync = (): void => {
    const scopes = new Set<EngineScope>(context.scopes.all);
    for (const [scope, part] of parts) {
      if (scopes.has(scope)) continue;
      part.dispose();
      parts.delete(scope);
    }
    for (const scope of scopes) if (!parts.has(scope)) parts.set(scope, new ScopeLifetimes(scope, lifetimeSettings, context.log, stateDir));
  };
  const cleaner = new PeriodicCleanup(context, () => settings.get().cleanupIntervalMs, stateDir);
  let said = '';
  const check = (): void => {
    const problems = settings.get().problems.join(' ');
    if (problems && problems !== said) {
      void vscode.window.showErrorMessage(`${problems} That lifetime is off until it is fixed.`, 'Open Settings').then((picked) => {
        if (picked) void vscode.commands.executeCommand('workbench.action.openSettings', 'aicli.lifetime');
      });
    }
    said = problems;
  };
  sync();
  check();
  return {
    lifetimesOf: (scope) => parts.get(scope)?.current,
    subscriptions: [
      settings.subscription,
      // After the cache's own listener (registered first): the parts read the new values.
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!sections.some((section) => event.affectsConfiguration(section))) return;
        check();
        parts.forEach((part) => part.refresh());
        cleaner.refresh();
      }),
      context.scopes.onDidChange(sync),
      cleaner,
      {
        dispose: () => {
          parts.forEach((part) => part.dispose());
          parts.clear();
        },
      },
    ],
  };
}
