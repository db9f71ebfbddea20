/**
 * Pure arithmetic on the engine's stats samples (GET /containers/{id}/stats), the same
 * numbers `docker stats` shows. Works on cgroup v1 and v2 samples; fields the engine leaves
 * out (v2 has no percpu_usage, no blkio beyond io_service_bytes_recursive, no max_usage)
 * are treated as absent, never as zero limits.
 */

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

interface BlkioEntry {
  major?: number;
  minor?: number;
  op?: string;
  value?: number;
}

/** The parts of a stats sample this module reads. */
export interface EngineStatsSample {
  read: string;
  preread?: string;
  id?: string;
  name?: string;
  pids_stats?: { current?: number; limit?: number };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number; rx_packets?: number; tx_packets?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
}

/** One sample reduced to what the monitor, the ticker and the CLI show. */
export interface StatsSnapshot {
  /** When the engine took the sample (ms since the epoch). */
  readAt: number;
  /**
   * The engine's CPU %: 100 = one CPU fully busy, so 200 is the most two CPUs can show.
   * Undefined for the first sample of a stream, which has no previous reading to diff.
   */
  cpuPercent: number | undefined;
  onlineCpus: number;
  /** The CPUs the workspace may use (its quota), or all online CPUs when it has none. */
  cpuLimitCores: number;
  /** cpuPercent as a share of cpuLimitCores: 100 = using its whole allowance. */
  cpuPercentOfLimit: number | undefined;
  memoryUsedBytes: number;
  /** The cgroup limit; the host's memory when the workspace has none. */
  memoryLimitBytes: number | undefined;
  memoryPercent: number | undefined;
  pids: number;
  pidsLimit: number | undefined;
  pidsPercent: number | undefined;
  networkRxBytes: number;
  networkTxBytes: number;
  networkRxPackets: number;
  networkTxPackets: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Online CPUs as the engine's formula counts them: `online_cpus`, else the percpu list. */
export function onlineCpusOf(sample: EngineStatsSample): number {
  const online = num(sample.cpu_stats?.online_cpus);
  return online > 0 ? online : (sample.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0);
}

/**
 * CPU % as the engine and the docker CLI compute it: (container CPU time delta / host CPU
 * time delta) × online CPUs × 100, between this sample and the engine's previous one
 * (`precpu_stats`). A stream's first sample has an empty precpu (system usage 0), for which
 * the delta would be the container's lifetime average: report nothing instead.
 */
export function cpuPercent(sample: EngineStatsSample): number | undefined {
  const previousSystem = num(sample.precpu_stats?.system_cpu_usage);
  if (previousSystem === 0) return undefined;
  const cpuDelta = num(sample.cpu_stats?.cpu_usage?.total_usage) - num(sample.precpu_stats?.cpu_usage?.total_usage);
  const systemDelta = num(sample.cpu_stats?.system_cpu_usage) - previousSystem;
  const online = onlineCpusOf(sample);
  if (systemDelta <= 0 || online === 0) return undefined;
  return cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/**
 * Memory in use without reclaimable page cache, following the docker CLI (20.10 and later,
 * `calculateMemUsageUnixNoCache`): on cgroup v1 it subtracts `total_inactive_file`, on v2
 * `inactive_file` — not v1's `cache`, which also counts active file pages and tmpfs, and
 * would hide a workspace filling /dev/shm. Usage never goes below zero.
 */
export function memoryUsedBytes(sample: EngineStatsSample): number {
  const usage = num(sample.memory_stats?.usage);
  const stats = sample.memory_stats?.stats ?? {};
  const inactiveFile = 'total_inactive_file' in stats ? num(stats.total_inactive_file) : num(stats.inactive_file);
  return inactiveFile < usage ? usage - inactiveFile : usage;
}

/** A limit the engine reports; "unlimited" arrives as 0, absent, or max uint64. */
function limitOf(value: unknown): number | undefined {
  const limit = num(value);
  return limit > 0 && limit < Number.MAX_SAFE_INTEGER ? limit : undefined;
}

const percentOf = (value: number, limit: number | undefined): number | undefined => (limit ? (value / limit) * 100 : undefined);

/** Sums over the box's interfaces (one per network it is on). */
export function networkTotals(sample: EngineStatsSample): { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number } {
  const totals = { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 };
  for (const network of Object.values(sample.networks ?? {})) {
    totals.rxBytes += num(network.rx_bytes);
    totals.txBytes += num(network.tx_bytes);
    totals.rxPackets += num(network.rx_packets);
    totals.txPackets += num(network.tx_packets);
  }
  return totals;
}

/**
 * Sums over devices, as the CLI does; v1 spells the op "Read", v2 "read" (v2 lists only
 * read/write entries, v1 also Sync, Async, Discard and Total, which are skipped). On cgroup v1
 * with a blk-mq scheduler other than BFQ the kernel counts only the blkio.throttle files, and
 * those only for devices with a throttle rule: there a workspace without a device limit reads
 * as no block I/O at all (seen on this project's engine, kernel 6.18 with mq-deadline).
 */
export function blockIoTotals(sample: EngineStatsSample): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (entry.op ?? '').toLowerCase();
    if (op === 'read') readBytes += num(entry.value);
    else if (op === 'write') writeBytes += num(entry.value);
  }
  return { readBytes, writeBytes };
}

/**
 * The CPUs a container may use, from its inspect HostConfig: `NanoCpus` (docker --cpus) or
 * CpuQuota / CpuPeriod (how workspaces are made). Undefined when it has no quota.
 */
export function cpuLimitFromHostConfig(hostConfig: { NanoCpus?: number; CpuQuota?: number; CpuPeriod?: number } | undefined): number | undefined {
  const nano = num(hostConfig?.NanoCpus);
  if (nano > 0) return nano / 1e9;
  const quota = num(hostConfig?.CpuQuota);
  if (quota <= 0) return undefined;
  const period = num(hostConfig?.CpuPeriod) || 100_000;
  return quota / period;
}

/**
 * The snapshot of one sample. `cpuLimitCores` comes from the container's inspect, since
 * stats don't carry the quota. CPU thresholds apply to cpuPercentOfLimit: a workspace held
 * to 0.5 CPUs peaks at 50 % in the engine's terms, so a threshold on the raw figure could
 * never fire for it; measured against its allowance it reads 100 % when it uses all of it.
 */
export function statsSnapshot(sample: EngineStatsSample, cpuLimitCores?: number): StatsSnapshot {
  const onlineCpus = onlineCpusOf(sample);
  const cpu = cpuPercent(sample);
  const limitCores = cpuLimitCores && cpuLimitCores > 0 ? Math.min(cpuLimitCores, onlineCpus || cpuLimitCores) : onlineCpus;
  const memoryUsed = memoryUsedBytes(sample);
  const memoryLimit = limitOf(sample.memory_stats?.limit);
  const pids = num(sample.pids_stats?.current);
  const pidsLimit = limitOf(sample.pids_stats?.limit);
  const network = networkTotals(sample);
  const block = blockIoTotals(sample);
  return {
    readAt: Date.parse(sample.read),
    cpuPercent: cpu,
    onlineCpus,
    cpuLimitCores: limitCores,
    cpuPercentOfLimit: cpu === undefined || !limitCores ? undefined : cpu / limitCores,
    memoryUsedBytes: memoryUsed,
    memoryLimitBytes: memoryLimit,
    memoryPercent: percentOf(memoryUsed, memoryLimit),
    pids,
    pidsLimit,
    pidsPercent: percentOf(pids, pidsLimit),
    networkRxBytes: network.rxBytes,
    networkTxBytes: network.txBytes,
    networkRxPackets: network.rxPackets,
    networkTxPackets: network.txPackets,
    blockReadBytes: block.readBytes,
    blockWriteBytes: block.writeBytes,
  };
}
