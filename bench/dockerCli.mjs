// The docker CLI's arguments for the engine create bodies bench/create builds (dockerode's
// shape, the fields our creates set), so the docker CLI makes the same networks and containers.
// A field this does not know throws: a new field of ours must not be silently dropped from the
// baseline. bench/create compares what both sides made (shapeOf) in its warm-up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const handled = {
  config: new Set(['name', 'Image', 'Labels', 'Env', 'WorkingDir', 'User', 'Tty', 'OpenStdin', 'AttachStdin', 'ExposedPorts', 'Healthcheck', 'StopSignal']),
  host: new Set([
    'Mounts',
    'NetworkMode',
    'PortBindings',
    'Init',
    'RestartPolicy',
    'Privileged',
    'CapDrop',
    'CapAdd',
    'SecurityOpt',
    'ReadonlyRootfs',
    'Tmpfs',
    'IpcMode',
    'CpuPeriod',
    'CpuQuota',
    'CpuShares',
    'Memory',
    'MemorySwap',
    'PidsLimit',
    'BlkioWeight',
    'BlkioDeviceReadBps',
    'BlkioDeviceWriteBps',
    'BlkioDeviceReadIOps',
    'BlkioDeviceWriteIOps',
    'Runtime',
    'Ulimits',
    'OomKillDisable',
    'Dns',
    'Sysctls',
  ]),
};

function refuseUnknown(object, known, where) {
  for (const [key, value] of Object.entries(object ?? {})) {
    if (value !== undefined && !known.has(key) && !(where === 'create' && (key === 'HostConfig' || key === 'NetworkingConfig'))) {
      throw new Error(`bench/dockerCli: ${where} field ${key} has no docker CLI flag here; add one`);
    }
  }
}

const pairs = (flag, record) => Object.entries(record ?? {}).flatMap(([key, value]) => [flag, `${key}=${value}`]);
const durationNs = (ns) => `${Math.round(ns / 1e6)}ms`;

function mountFlag(mount) {
  const parts = [`type=${mount.Type}`, `source=${mount.Source}`, `target=${mount.Target}`];
  if (mount.ReadOnly) parts.push('readonly');
  if (mount.BindOptions?.Propagation) parts.push(`bind-propagation=${mount.BindOptions.Propagation}`);
  return ['--mount', parts.join(',')];
}

function securityFlags(options, scratch) {
  return (options ?? []).flatMap((option, index) => {
    // The CLI takes a seccomp profile as a file (and sends its JSON, compacted, as we do).
    if (!option.startsWith('seccomp=')) return ['--security-opt', option];
    const file = join(scratch, `seccomp-${index}.json`);
    writeFileSync(file, option.slice('seccomp='.length));
    return ['--security-opt', `seccomp=${file}`];
  });
}

function hostFlags(host, scratch) {
  refuseUnknown(host, handled.host, 'HostConfig');
  const restart = host.RestartPolicy?.Name
    ? [host.RestartPolicy.Name + (host.RestartPolicy.MaximumRetryCount ? `:${host.RestartPolicy.MaximumRetryCount}` : '')]
    : [];
  if (host.Privileged || host.OomKillDisable) throw new Error('bench/dockerCli: Privileged / OomKillDisable are never set by our creates');
  return [
    ...(host.Mounts ?? []).flatMap(mountFlag),
    ...(host.NetworkMode ? ['--network', host.NetworkMode] : []),
    ...Object.entries(host.PortBindings ?? {}).flatMap(([port, bindings]) =>
      bindings.map((b) => ['--publish', `${b.HostIp ? `${b.HostIp}:` : ''}${b.HostPort}:${port}`]).flat(),
    ),
    ...(host.Init ? ['--init'] : []),
    ...restart.flatMap((policy) => ['--restart', policy]),
    ...(host.CapDrop ?? []).flatMap((cap) => ['--cap-drop', cap]),
    ...(host.CapAdd ?? []).flatMap((cap) => ['--cap-add', cap]),
    ...securityFlags(host.SecurityOpt, scratch),
    ...(host.ReadonlyRootfs ? ['--read-only'] : []),
    ...Object.entries(host.Tmpfs ?? {}).flatMap(([path, options]) => ['--tmpfs', options ? `${path}:${options}` : path]),
    ...(host.IpcMode ? ['--ipc', host.IpcMode] : []),
    ...(host.CpuPeriod ? ['--cpu-period', String(host.CpuPeriod)] : []),
    ...(host.CpuQuota ? ['--cpu-quota', String(host.CpuQuota)] : []),
    ...(host.CpuShares ? ['--cpu-shares', String(host.CpuShares)] : []),
    ...(host.Memory ? ['--memory', `${host.Memory}b`] : []),
    ...(host.MemorySwap ? ['--memory-swap', `${host.MemorySwap}b`] : []),
    ...(host.PidsLimit ? ['--pids-limit', String(host.PidsLimit)] : []),
    ...(host.BlkioWeight ? ['--blkio-weight', String(host.BlkioWeight)] : []),
    ...(host.BlkioDeviceReadBps ?? []).flatMap((rule) => ['--device-read-bps', `${rule.Path}:${rule.Rate}`]),
    ...(host.BlkioDeviceWriteBps ?? []).flatMap((rule) => ['--device-write-bps', `${rule.Path}:${rule.Rate}`]),
    ...(host.BlkioDeviceReadIOps ?? []).flatMap((rule) => ['--device-read-iops', `${rule.Path}:${rule.Rate}`]),
    ...(host.BlkioDeviceWriteIOps ?? []).flatMap((rule) => ['--device-write-iops', `${rule.Path}:${rule.Rate}`]),
    ...(host.Runtime ? ['--runtime', host.Runtime] : []),
    ...(host.Ulimits ?? []).flatMap((limit) => ['--ulimit', `${limit.Name}=${limit.Soft}:${limit.Hard}`]),
    ...(host.Dns ?? []).flatMap((dns) => ['--dns', dns]),
    ...pairs('--sysctl', host.Sysctls),
  ];
}

function healthFlags(health) {
  if (!health) return [];
  const [kind, ...command] = health.Test;
  if (kind !== 'CMD-SHELL') throw new Error(`bench/dockerCli: health check ${kind} is not CMD-SHELL`);
  return [
    '--health-cmd',
    command.join(' '),
    ...(health.Interval ? ['--health-interval', durationNs(health.Interval)] : []),
    ...(health.Timeout ? ['--health-timeout', durationNs(health.Timeout)] : []),
    ...(health.Retries ? ['--health-retries', String(health.Retries)] : []),
    ...(health.StartPeriod ? ['--health-start-period', durationNs(health.StartPeriod)] : []),
  ];
}

/**
 * `docker create`/`docker run` flags and the image for one container create body; `scratch` is a
 * folder for the files the CLI reads options from (the seccomp profile).
 */
export function dockerContainerArgs(body, scratch) {
  refuseUnknown(body, handled.config, 'create');
  const endpoints = Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {});
  if (endpoints.length > 1) throw new Error('bench/dockerCli: one network at create, as ours');
  const ip = endpoints[0]?.[1]?.IPAMConfig?.IPv4Address;
  return [
    ...(body.name ? ['--name', body.name] : []),
    ...pairs('--label', body.Labels),
    ...(body.Env ?? []).flatMap((entry) => ['--env', entry]),
    ...(body.WorkingDir ? ['--workdir', body.WorkingDir] : []),
    ...(body.User ? ['--user', body.User] : []),
    ...(body.Tty ? ['--tty'] : []),
    ...(body.OpenStdin ? ['--interactive'] : []),
    ...Object.keys(body.ExposedPorts ?? {}).flatMap((port) => ['--expose', port]),
    ...healthFlags(body.Healthcheck),
    ...(body.StopSignal ? ['--stop-signal', body.StopSignal] : []),
    ...hostFlags(body.HostConfig ?? {}, scratch),
    ...(ip ? ['--ip', ip] : []),
    body.Image,
  ];
}

/** `docker network create` arguments for a network create body. */
export function dockerNetworkArgs(body) {
  const known = new Set(['Name', 'Driver', 'Attachable', 'Internal', 'CheckDuplicate', 'IPAM', 'Options', 'Labels']);
  refuseUnknown(body, known, 'network');
  if (body.Attachable || body.Internal) throw new Error('bench/dockerCli: our networks are neither attachable nor internal');
  return [
    'network',
    'create',
    '--driver',
    body.Driver,
    ...(body.IPAM?.Config ?? []).flatMap((config) => ['--subnet', config.Subnet, ...(config.Gateway ? ['--gateway', config.Gateway] : [])]),
    ...pairs('--opt', body.Options),
    ...pairs('--label', body.Labels),
    body.Name,
  ];
}
