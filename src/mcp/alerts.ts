import { Engine } from '../engine/engine';
import { Disposable } from '../engine/emitter';
import { EngineLog } from '../engine/connection';
import { alertJson, AlertJson } from '../monitor/alertsReport';
import { SecurityMonitor } from '../monitor/monitor';
import { defaultMonitorSettings } from '../monitor/settings';
import { Workspace } from '../workspace/model';

/**
 * The server's own monitor, started on the first workspace_alerts call and kept: later calls
 * answer at once. It only notifies (never pauses or stops: that is the person's monitor's
 * choice) and runs no process checks (an exec racing another client's pause wedges the engine).
 */
export class ServerAlerts implements Disposable {
  private monitor: SecurityMonitor | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly log: EngineLog,
  ) {}

  async of(workspace: Workspace): Promise<AlertJson[]> {
    if (!this.monitor) {
      const settings = { ...defaultMonitorSettings, onBreach: 'notify' as const, processChecks: false };
      this.monitor = new SecurityMonitor(this.engine, { settings: () => settings, log: this.log });
      this.ready = this.monitor.ready();
    }
    await this.ready;
    return this.monitor.alerts
      .list()
      .filter((alert) => alert.workspace.id === workspace.id)
      .map(alertJson);
  }

  dispose(): void {
    this.monitor?.dispose();
  }
}
