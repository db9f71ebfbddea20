import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { inspectContainer } from '../../engine/containers';
import { Engine } from '../../engine/engine';
import type { ContainerInspectInfo } from '../../engine/types';
import { isStrictLevel, levelProfiles } from '../../isolation/levels';
import { gvisorRuntime } from '../../isolation/runtime';
import { PolicyItem } from '../../monitor/alerts';
import { engineSocketsOf } from '../../monitor/inspectFacts';
import { MonitoredWorkspace } from '../../monitor/scope';
import { labels } from '../../workspace/model';
import { projectMountLine, policySecurityLines } from './policyLines';

export const policyScheme = 'aicli-policy';

/** One line per policy item, in this order; alerts point at these lines. */
export const policyLines: PolicyItem[] = [
  'memory',
  'cpu',
  'pids',
  'privileged',
  'engineSocket',
  'capabilities',
  'noNewPrivileges',
  'seccomp',
  'ports',
  'hostNamespaces',
  'processes',
  'listeners',
  'health',
  'restarts',
  'oom',
  'protectedPaths',
  'egress',
  'networkRate',
  'diskRate',
  'disk',
];
const headerLines = 2;
const policyReadTimeoutMs = 3000;

export function policyUri(workspace: Pick<MonitoredWorkspace, 'name' | 'containerId'>): vscode.Uri {
  return vscode.Uri.from({ scheme: policyScheme, path: `/${workspace.name}.policy`, query: `id=${workspace.containerId}` });
}

export function policyLineOf(item: PolicyItem): number {
  return headerLines + Math.max(0, policyLines.indexOf(item));
}

/** Paths of the project the box sees read-only (see isolation/projectMount.ts). */
const readOnlyProjectPaths = (info: ContainerInspectInfo): string[] =>
  (info.Mounts ?? [])
    .filter((mount) => !mount.RW && mount.Destination.startsWith('/workspace/'))
    .map((mount) => `${mount.Destination.slice('/workspace/'.length)} read-only`);

/** Published ports: on the workspace's gateway (as labelled at create), or on the container itself. */
function publishedPortsOf(info: ContainerInspectInfo): string[] {
  const labelled = info.Config.Labels?.[labels.ports];
  if (labelled) {
    try {
      const ports = JSON.parse(labelled) as { hostIp: string; hostPort: number; containerPort: number; protocol: string }[];
      return ports.map((port) => `${port.hostIp || '0.0.0.0'}:${port.hostPort}→${port.containerPort}/${port.protocol} (via the gateway)`);
    } catch {
      // Not ours: read the engine's bindings below.
    }
  }
  return Object.entries(info.HostConfig.PortBindings ?? {}).flatMap(([port, bindings]) =>
    ((bindings ?? []) as { HostIp?: string; HostPort?: string }[]).map((binding) => `${binding.HostIp || '0.0.0.0'}:${binding.HostPort}→${port}`),
  );
}

/** The egress mode the workspace's gateway enforces (labelled at create). */
function egressLine(mode: string | undefined): string {
  if (!mode) return 'NOT FILTERED (made before egress control; recreate it)';
  const reach: Record<string, string> = { none: 'nothing outside', allowlist: 'only aicli.network.allowedHosts', open: 'the internet' };
  return `${mode}: ${reach[mode] ?? mode}; never the host, link-local, private ranges or other workspaces`;
}

const size = (bytes: number | undefined): string => (bytes ? formatBytes(bytes) : 'none');

function values(info: ContainerInspectInfo, engineSockets: string[]): Record<PolicyItem, string> {
  const host = info.HostConfig;
  const level = (info.Config.Labels?.['aicli.workspace.level'] ?? 'standard') as keyof typeof levelProfiles;
  const cpus = host.CpuQuota && host.CpuPeriod ? host.CpuQuota / host.CpuPeriod : host.NanoCpus ? host.NanoCpus / 1e9 : undefined;
  const ports = publishedPortsOf(info);
  return {
    // privileged, engineSocket, noNewPrivileges, seccomp, hostNamespaces: the audit's reading.
    ...policySecurityLines(info, engineSockets),
    memory: `limit ${size(host.Memory)}, swap ${host.MemorySwap === host.Memory ? 'none' : size(host.MemorySwap)}`,
    cpu: cpus ? `${cpus} CPU` : 'no limit',
    pids: host.PidsLimit ? `limit ${host.PidsLimit}` : 'no limit',
    capabilities: `drop ${(host.CapDrop ?? []).join(', ') || 'none'}; add ${(host.CapAdd ?? []).join(', ') || 'none'} (level ${level} allows ${levelProfiles[level]?.capabilities.join(', ') || 'none'})`,
    ports: ports.join(', ') || 'none published',
    processes: isStrictLevel(level) ? 'none as root' : 'any user',
    listeners: 'no listener on a blocked port',
    health: info.State.Health?.Status ?? 'no health check',
    restarts: `${info.RestartCount} restart(s), policy ${host.RestartPolicy?.Name ?? 'no'}`,
    oom: info.State.OOMKilled ? 'OOM-killed' : 'no OOM kill recorded',
    protectedPaths: readOnlyProjectPaths(info).join(', ') || 'none read-only',
    egress: egressLine(info.Config.Labels?.[labels.egress]),
    networkRate: rateLine('networkMbps', 'Mbit/s received + sent'),
    diskRate: rateLine('diskMbps', 'MB/s read + written'),
    disk: diskLine(host.StorageOpt?.size),
  };
}

function diskLine(size: string | undefined): string {
  if (!size) return 'no limit (0, or the engine cannot size a container: the create said why)';
  return `limit ${formatBytes(Number(size))} for its own files (volumes not included); alert from 85 % used`;
}

/** The engine's throttle rules on the box's data device, as inspect shows them. */
function ioCapsLine(host: ContainerInspectInfo['HostConfig']): string {
  const rules = host as {
    BlkioDeviceReadBps?: Rule[] | null;
    BlkioDeviceWriteBps?: Rule[] | null;
    BlkioDeviceReadIOps?: Rule[] | null;
    BlkioDeviceWriteIOps?: Rule[] | null;
  };
  const parts = [
    ['read', rules.BlkioDeviceReadBps, (rate: number) => `${formatBytes(rate)}/s`],
    ['write', rules.BlkioDeviceWriteBps, (rate: number) => `${formatBytes(rate)}/s`],
    ['read', rules.BlkioDeviceReadIOps, (rate: number) => `${rate} IOPS`],
    ['write', rules.BlkioDeviceWriteIOps, (rate: number) => `${rate} IOPS`],
  ] as const;
  const shown = parts.flatMap(([what, list, format]) => (list ?? []).map((rule) => `${what} ${format(rule.Rate)} on ${rule.Path}`));
  return shown.join(', ') || 'none (not asked for, or not enforceable on this engine: the create said why)';
}
type Rule = { Path: string; Rate: number };

/** Which kernel the box's system calls meet. */
function runtimeLine(runtime: string | undefined): string {
  if (runtime === gvisorRuntime) return "runsc: gVisor's application kernel (the host kernel is not reached directly)";
  return `${runtime || 'runc'}: the host's kernel, shared with every container`;
}

/** The monitor's rate thresholds (settings, not the workspace's own): where they stand. */
function rateLine(setting: 'networkMbps' | 'diskMbps', unit: string): string {
  const threshold = vscode.workspace.getConfiguration('aicli.monitor').get<number>(setting, 0);
  return threshold > 0 ? `alert above ${threshold} ${unit} (aicli.monitor.${setting})` : `no alert (aicli.monitor.${setting} is 0: off)`;
}

/** A read-only document per workspace: what its policy is and what the engine says now. */
export class PolicyDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  /** engineOf: the engine the container runs on (several engines). */
  constructor(private readonly engineOf: (containerId: string) => Engine) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const containerId = new URLSearchParams(uri.query).get('id') ?? '';
    let info: ContainerInspectInfo;
    try {
      info = await this.read(containerId);
    } catch (err) {
      // Still a document with the same lines, so the workspace's alerts and quick fixes stay reachable.
      const why = err instanceof Error ? err.message : String(err);
      const header = [`# AICLI policy of ${uri.path.replace(/^\/|\.policy$/g, '')}: the engine did not answer (${why}); see the alerts below`, ''];
      return [...header, ...policyLines.map((item) => `${item.padEnd(16)} ?`)].join('\n') + '\n';
    }
    const current = values(info, engineSocketsOf(this.engineOf(containerId).target));
    const name = info.Config.Labels?.['aicli.workspace.name'] ?? info.Name.replace(/^\//, '');
    const header = [`# AICLI policy of workspace ${name} (${info.Config.Labels?.['aicli.workspace.level'] ?? 'standard'}); alerts appear on these lines`, ''];
    // After the items, so the lines alerts point at stay where they are.
    const mount = `${'project mount'.padEnd(16)} ${projectMountLine(info.Config.Labels?.[labels.mount])}`;
    const runtime = `${'runtime'.padEnd(16)} ${runtimeLine(info.HostConfig.Runtime)}`;
    const io = `${'io caps'.padEnd(16)} ${ioCapsLine(info.HostConfig)}`;
    return [...header, ...policyLines.map((item) => `${item.padEnd(16)} ${current[item]}`), mount, runtime, io].join('\n') + '\n';
  }

  /** The inspect, or an error after policyReadTimeoutMs: a frozen workspace never answers (monitor/frozen.ts). */
  private async read(containerId: string): Promise<ContainerInspectInfo> {
    const connection = await this.engineOf(containerId).connection();
    const reading = inspectContainer(connection, containerId, 'inspect for policy');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${policyReadTimeoutMs / 1000} s`)), policyReadTimeoutMs);
    });
    try {
      return await Promise.race([reading, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  refresh(uri: vscode.Uri): void {
    this.changeEmitter.fire(uri);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
