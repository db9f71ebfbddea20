import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { InputError } from '../engine/errors';

export const engineSocketPaths = ['/var/run/docker.sock', '/run/docker.sock'];
const systemFolders = ['/', '/etc', '/proc', '/sys', '/dev', '/boot'];

export interface MountPolicy {
  home: string;
  /** Socket paths of the engine in use, besides the usual ones. */
  engineSockets: string[];
  /** aicli.workspace.mountDockerSocket: an explicit, loud opt-in. */
  allowEngineSocket: boolean;
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function contains(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder === sep ? folder : folder + sep);
}

/**
 * Checks the project folder before it is bind-mounted at /workspace and returns its real path.
 * Refuses system folders, the home directory itself and anything holding the engine socket:
 * each would hand the workspace the host.
 */
export function checkProjectFolder(folder: string, policy: MountPolicy): string {
  if (!folder || !isAbsolute(folder)) {
    throw new InputError('folder', `The project folder "${folder}" must be an absolute path; pick the folder with the full path.`);
  }
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError('folder', `The project folder ${folder} does not exist or is not a folder; create it or pick another.`);
  }
  const real = realpathSync(resolve(folder));
  if (systemFolders.includes(real)) {
    throw new InputError('folder', `Mounting ${real} would expose the host's system files to the workspace; pick a project folder instead.`);
  }
  const home = realOrResolved(policy.home);
  if (real === home) {
    throw new InputError('folder', `Mounting your whole home folder (${real}) would expose your keys and settings; pick a project folder inside it.`);
  }
  if (contains(real, home)) {
    throw new InputError(
      'folder',
      `Mounting ${real} would expose your whole home folder (${home}) with its keys and settings; pick a project folder inside it.`,
    );
  }
  const sockets = [...engineSocketPaths, ...policy.engineSockets].flatMap((path) => [path, realOrResolved(path)]);
  const socket = sockets.find((path) => contains(real, path));
  if (socket) {
    throw new InputError('folder', `${real} contains the Docker engine socket (${socket}), which gives root on the host; pick a folder that does not.`);
  }
  return real;
}

/** Engine-socket mounts are refused unless the user turned the setting on. */
export function checkEngineSocketMount(policy: MountPolicy): { warning: string } | undefined {
  if (!policy.allowEngineSocket) return undefined;
  return {
    warning:
      'aicli.workspace.mountDockerSocket is on: this workspace gets the Docker engine socket, which is root on the host. Anything running in it can escape the sandbox.',
  };
}
