import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { EngineEntry, parseEngineEntries } from '../engine/engines';
import { isUserOnlySetting } from '../isolation/userOnlySettings';
import { defaultEngineSettings, EngineSettings } from '../engine/target';
import { IsolationLevel, isolationLevels } from '../isolation/levels';
import { defaultBlockedPorts } from '../isolation/ports';
import { defaultResources } from '../isolation/resources';
import { WorkspacePolicy } from '../workspace/request';
import { BreachResponse, defaultMonitorSettings, MonitorSettings } from '../monitor/settings';
import { LifetimeSettings, parseLifetime } from '../workspace/lifetimes/rules';

export interface SettingsSection {
  get<T>(key: string, fallback: T): T;
}

/**
 * Reads one section of aicli.* settings. A user-only key (isolation/userOnlySettings.ts) comes
 * from User settings or its default only: VS Code drops a folder's flat value of an
 * application-scoped key, but still applies one written as a nested object, and the box can
 * write the folder's settings.
 */
export function aicliSettings(section = 'aicli'): SettingsSection {
  const config = vscode.workspace.getConfiguration(section);
  return {
    get<T>(key: string, fallback: T): T {
      if (!isUserOnlySetting(`${section}.${key}`)) return config.get<T>(key, fallback);
      const inspected = config.inspect<T>(key);
      return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
    },
  };
}

/** The one place that reads aicli.* settings and turns them into core types. */
export function readEngineSettings(): EngineSettings {
  const config = aicliSettings('aicli.docker');
  const tlsVerify = config.get<string>('tlsVerify', defaultEngineSettings.tlsVerify);
  return {
    host: config.get<string>('host', '').trim(),
    apiVersion: config.get<string>('apiVersion', '').trim(),
    timeoutMs: config.get<number>('timeout', defaultEngineSettings.timeoutMs),
    tlsVerify: tlsVerify === 'on' || tlsVerify === 'off' ? tlsVerify : 'auto',
    certPath: config.get<string>('certPath', '').trim(),
  };
}

export function affectsEngineSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('aicli.docker');
}

/** Workspace defaults and policies; invalid values are caught by the core's validation. */
export function readWorkspacePolicy(): WorkspacePolicy {
  const config = aicliSettings('aicli');
  const level = config.get<string>('isolation.level', 'standard');
  return {
    defaultImage: config.get<string>('workspace.defaultImage', 'aicli/base:latest'),
    defaultLevel: (isolationLevels as string[]).includes(level) ? (level as IsolationLevel) : 'standard',
    resources: {
      cpus: config.get<number>('resources.cpus', Number(defaultResources.cpus)),
      memory: config.get<string>('resources.memory', defaultResources.memory),
      pidsLimit: config.get<number>('resources.pidsLimit', defaultResources.pidsLimit),
      blkioWeight: config.get<number>('resources.blkioWeight', defaultResources.blkioWeight),
      ioReadBps: config.get<string>('resources.ioReadBps', defaultResources.ioReadBps),
      ioWriteBps: config.get<string>('resources.ioWriteBps', defaultResources.ioWriteBps),
      ioReadIops: config.get<number>('resources.ioReadIops', defaultResources.ioReadIops),
      ioWriteIops: config.get<number>('resources.ioWriteIops', defaultResources.ioWriteIops),
      disk: config.get<string>('resources.disk', defaultResources.disk),
    },
    ports: {
      blockedPorts: config.get<number[]>('network.blockedPorts', defaultBlockedPorts),
      publishAddress: config.get<string>('network.publishAddress', '127.0.0.1'),
    },
    mountEngineSocket: config.get<boolean>('workspace.mountDockerSocket', false),
    egress: config.get<string>('network.egress', 'auto'),
    allowedHosts: config.get<string[]>('network.allowedHosts', []),
    home: homedir(),
    protectedPaths: config.get<string[] | undefined>('workspace.protectedPaths', undefined),
    projectMount: config.get<string>('workspace.projectMount', 'auto'),
    runtime: config.get<string>('isolation.runtime', 'auto'),
    requireUserNamespace: config.get<boolean>('isolation.requireUserNamespace', false),
    labels: config.get<Record<string, string>>('workspace.labels', {}),
  };
}

/** aicli.workspace.healthTimeout in ms; 0 means create does not wait for the image's health check. */
export function readHealthTimeoutMs(): number {
  const seconds = aicliSettings('aicli.workspace').get<number>('healthTimeout', 60);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

export function readLogSettings(): { tail: number; timestamps: boolean } {
  const config = aicliSettings('aicli.logs');
  return { tail: Math.max(0, config.get<number>('tail', 1000)), timestamps: config.get<boolean>('timestamps', false) };
}

export function readMonitorSettings(): MonitorSettings {
  const config = aicliSettings('aicli');
  const onBreach = config.get<string>('monitor.onBreach', 'notify');
  return {
    ...defaultMonitorSettings,
    cpuPercent: config.get<number>('monitor.cpuPercent', defaultMonitorSettings.cpuPercent),
    memoryPercent: config.get<number>('monitor.memoryPercent', defaultMonitorSettings.memoryPercent),
    networkMbps: config.get<number>('monitor.networkMbps', defaultMonitorSettings.networkMbps),
    diskMbps: config.get<number>('monitor.diskMbps', defaultMonitorSettings.diskMbps),
    pidsPercent: config.get<number>('monitor.pidsPercent', defaultMonitorSettings.pidsPercent),
    onBreach: (['notify', 'pause', 'stop'].includes(onBreach) ? onBreach : 'notify') as BreachResponse,
    blockedPorts: config.get<number[]>('network.blockedPorts', defaultMonitorSettings.blockedPorts),
    allowEngineSocket: config.get<boolean>('workspace.mountDockerSocket', false),
    processChecks: config.get<boolean>('monitor.processChecks', true),
    protectedPaths: config.get<string[]>('workspace.protectedPaths', defaultMonitorSettings.protectedPaths),
  };
}

/** aicli.audit.enabled (user-only: a folder the box can write never turns the trail off). */
export function readAuditEnabled(): boolean {
  return aicliSettings('aicli.audit').get<boolean>('enabled', true) !== false;
}

/** aicli.monitor.history (user-only, as all of aicli.monitor.*). */
export function readMetricsHistoryEnabled(): boolean {
  return aicliSettings('aicli.monitor').get<boolean>('history', true) !== false;
}

/**
 * aicli.lifetime.idleStop / maxAge and aicli.cleanup.interval (user-only: the box must not keep
 * itself running). A value that is no duration turns its rule off and is said in `problems`.
 */
export function readLifetimeSettings(): { lifetimes: LifetimeSettings; cleanupIntervalMs: number | undefined; problems: string[] } {
  const problems: string[] = [];
  const read = (section: string, key: string): number | undefined => {
    try {
      return parseLifetime(aicliSettings(section).get<string>(key, 'off'), `${section}.${key}`);
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const lifetimes = { idleStopMs: read('aicli.lifetime', 'idleStop'), maxAgeMs: read('aicli.lifetime', 'maxAge') };
  return { lifetimes, cleanupIntervalMs: read('aicli.cleanup', 'interval'), problems };
}

export function readTickerSettings(): { enabled: boolean; mode: 'auto' | 'aggregate' } {
  const config = aicliSettings('aicli.statusBar');
  return { enabled: config.get<boolean>('enabled', true), mode: config.get<string>('mode', 'auto') === 'aggregate' ? 'aggregate' : 'auto' };
}

/**
 * A settings reader for hot paths (the monitor reads its settings on every stats sample of
 * every workspace, and getConfiguration is not cheap in the extension host): read once, and
 * again only after a change that affects one of `sections`.
 */
export function cachedSettings<T>(sections: string[], read: () => T): { get: () => T; subscription: vscode.Disposable } {
  let value: T | undefined;
  let valid = false;
  const subscription = vscode.workspace.onDidChangeConfiguration((event) => {
    if (sections.some((section) => event.affectsConfiguration(section))) valid = false;
  });
  return {
    get: () => {
      if (!valid) {
        value = read();
        valid = true;
      }
      return value as T;
    },
    subscription,
  };
}

let lastEngineProblems = '';

/** aicli.engines, checked; bad entries are left out and said once in a warning (with the log). */
export function readEngineEntries(log: vscode.LogOutputChannel): EngineEntry[] {
  const { entries, problems } = parseEngineEntries(aicliSettings('aicli').get<unknown>('engines', []));
  const said = problems.join('\n');
  if (said && said !== lastEngineProblems) {
    problems.forEach((problem) => log.warn(problem));
    void vscode.window.showWarningMessage(`Some aicli.engines entries are left out: ${problems.join(' ')}`, 'Open Settings').then((picked) => {
      if (picked) void vscode.commands.executeCommand('workbench.action.openSettings', 'aicli.engines');
    });
  }
  lastEngineProblems = said;
  return entries;
}
