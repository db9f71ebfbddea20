import { captureExec } from './captureExec';
import { EngineConnection } from './connection';

/**
 * Prints the login shell of the user the exec runs as (from /etc/passwd, when it is there,
 * executable and not false/nologin), else bash if on PATH, else /bin/sh. Plain POSIX sh, so it
 * runs in busybox and distribution images alike.
 */
const shellLookupScript = `me=$(id -u 2>/dev/null)
if [ -n "$me" ] && [ -r /etc/passwd ]; then
  while IFS=: read -r name pw uid gid gecos home shell; do
    [ "$uid" = "$me" ] || continue
    case "\${shell##*/}" in ''|false|nologin) ;; *) [ -x "$shell" ] && { echo "$shell"; exit 0; } ;; esac
    break
  done < /etc/passwd
fi
command -v bash 2>/dev/null && exit 0
echo /bin/sh`;

/**
 * The shell for a session. A setting other than "auto" is used as is; "auto" asks the
 * container once (one short exec as the session's user).
 */
export async function resolveShell(connection: EngineConnection, containerId: string, setting: string, user?: string): Promise<string> {
  const chosen = setting.trim();
  if (chosen && chosen !== 'auto') return chosen;
  const { code, stdout } = await captureExec(connection, containerId, { cmd: ['sh', '-c', shellLookupScript], user });
  const shell = stdout.trim().split('\n').pop()?.trim() ?? '';
  return code === 0 && shell.startsWith('/') ? shell : '/bin/sh';
}
