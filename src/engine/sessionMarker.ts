import { randomBytes } from 'node:crypto';
import { captureExec } from './captureExec';
import { EngineConnection } from './connection';

/**
 * The engine cannot end an exec: closing its stream leaves the process running (verified on
 * 20.10), and exec inspect only knows the host pid, which means nothing inside the container.
 * So every process we start carries a unique `AICLI_SESSION=<random>` in its environment
 * (inherited by its children), and a small helper exec finds and signals the marked processes.
 */
export const sessionMarkerVariable = 'AICLI_SESSION';

/** `AICLI_SESSION=<24 hex digits>`: both the Env entry and the text the helper looks for. */
export function newSessionMarker(): string {
  return `${sessionMarkerVariable}=${randomBytes(12).toString('hex')}`;
}

/** HUP: a closed terminal; TERM: a closed session; KILL: a command past its time (nothing may outlive it). */
export type EndSignal = 'HUP' | 'TERM' | 'KILL';

/**
 * $1 marker, $2 signal. Signals every process whose environment or command line holds the
 * marker, skipping itself and its own children (grep's arguments hold the marker too). An
 * exec's main process has PPid 0 in the container (its parent is outside); if it outlives
 * about a second it is killed, so the exec always ends, while a child that chose to ignore
 * the hangup (nohup) survives, as with a closed local terminal.
 */
const endScript = `m="$1"; sig="$2"; leaders=
for dir in /proc/[0-9]*; do
  p="\${dir#/proc/}"; [ "$p" = "$$" ] && continue
  [ -r "$dir/status" ] || continue
  ppid=; while read -r key value; do [ "$key" = PPid: ] && { ppid=$value; break; }; done < "$dir/status"
  [ "$ppid" = "$$" ] && continue
  grep -qs -- "$m" "$dir/environ" "$dir/cmdline" || continue
  kill -"$sig" "$p" 2>/dev/null
  [ "$ppid" = 0 ] && leaders="$leaders $p"
done
i=0
while [ -n "$leaders" ] && [ $i -lt 20 ]; do
  alive=; for p in $leaders; do [ -d "/proc/$p" ] && alive="$alive $p"; done; leaders=$alive
  [ -z "$leaders" ] && break
  if sleep 0.05 2>/dev/null; then i=$((i+1)); else sleep 1; i=$((i+10)); fi
done
for p in $leaders; do kill -KILL "$p" 2>/dev/null; done
exit 0`;

/** Ends the processes started with `marker`; resolves once the helper has finished. */
export async function endMarkedProcesses(
  connection: EngineConnection,
  containerId: string,
  marker: string,
  user: string | undefined,
  signal: EndSignal,
): Promise<void> {
  await captureExec(connection, containerId, { cmd: ['sh', '-c', endScript, 'aicli-end-session', marker, signal], user });
}
