import { AuditSink } from '../audit/sink';
import { EngineLog } from '../engine/connection';
import { NamedEngine } from '../engine/engines';
import { MonitorSettings } from '../monitor/settings';
import { EngineScope, EngineScopes } from '../workspace/scope';
import { WorkspacePolicy } from '../workspace/request';
import { AlertDiagnostics } from './monitor/diagnostics';

/** An engine's scope as the UI holds it: the core scope plus its alerts in the Problems panel. */
export type UiEngineScope = EngineScope & { diagnostics: AlertDiagnostics };

export type UiEngineScopes = EngineScopes<UiEngineScope>;

export interface UiScopeSettings {
  policy: () => WorkspacePolicy;
  monitorSettings: () => MonitorSettings;
  log: EngineLog;
  /** The UI parts that live as long as one scope (breach notices, the ticker's feed). */
  partsFor: (scope: EngineScope) => { dispose(): void }[];
  /** Whether the scope's index reads its engine now (someone can see the tree). */
  indexActive: () => boolean;
  /** The extension's audit trail: the scope's service, monitor and review service record through it. */
  audit: AuditSink;
}

export function makeUiScope(named: NamedEngine, settings: UiScopeSettings): UiEngineScope {
  const scope = new EngineScope(named.name, named.engine, {
    policy: settings.policy,
    monitorSettings: settings.monitorSettings,
    log: settings.log,
    audit: settings.audit,
  });
  scope.index.setActive(settings.indexActive());
  const diagnostics = new AlertDiagnostics(scope.monitor);
  scope.attach(diagnostics, ...settings.partsFor(scope));
  return Object.assign(scope, { diagnostics });
}
