const shells = new Set(['sh', 'ash', 'bash', 'zsh', 'dash', 'fish', 'ksh']);

/**
 * An interactive shell ignores SIGTERM, so `docker stop` would wait its full grace period
 * (10 s) even with an init. A shell exits on SIGHUP, as on a closed terminal; other
 * commands keep the image's own stop signal.
 */
export function stopSignalFor(config: { StopSignal?: string; Cmd?: string[] | null; Entrypoint?: string[] | string | null } | undefined): string | undefined {
  if (!config || config.StopSignal) return undefined;
  const entrypoint = Array.isArray(config.Entrypoint) ? config.Entrypoint : config.Entrypoint ? [config.Entrypoint] : [];
  const program = [...entrypoint, ...(config.Cmd ?? [])][0] ?? '';
  return shells.has(program.split('/').pop() ?? '') ? 'SIGHUP' : undefined;
}
