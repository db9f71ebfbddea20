import { captureExec, CapturedExec } from '../engine/captureExec';
import { EngineConnection } from '../engine/connection';
import { InputError } from '../engine/errors';
import { Workspace } from '../workspace/model';
import { shownPath } from './boxPaths';
import { listScript, readScript, scriptExit, writeScript } from './boxScripts';

export interface BoxFile {
  /** UTF-8 text of the first `cap` bytes (binary files are refused). */
  text: string;
  size: number;
  truncated: boolean;
}

export interface BoxEntry {
  /** Relative to the folder listed. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Files only. */
  size?: number;
}

function run(connection: EngineConnection, workspace: Workspace, script: string, args: string[], input?: Buffer): Promise<CapturedExec> {
  return captureExec(connection, workspace.containerId, { cmd: ['sh', '-c', script, 'aicli-file', ...args], input, workingDir: '/workspace' });
}

/** The scripts' exit codes as what the agent should do; undefined: it worked. */
function failure(result: CapturedExec, path: string): InputError | undefined {
  const shown = shownPath(path);
  const why: Record<number, string> = {
    [scriptExit.outside]: `${shown} leads outside /workspace through a symbolic link in the box; the file tools stay inside the project.`,
    [scriptExit.missing]: `${shown} does not exist in the workspace; list the folder with workspace_list_files.`,
    [scriptExit.directory]: `${shown} is a directory; list it with workspace_list_files.`,
    [scriptExit.notFile]: `${shown} is not a regular file (a device, socket or pipe); read it through workspace_exec if you must.`,
    [scriptExit.notDirectory]: `${shown} is not a directory; read it with workspace_read_file.`,
    126: "The workspace's image has no usable POSIX shell (sh); the file tools need sh, readlink, head, find and wc (busybox or coreutils).",
    127: "The workspace's image lacks sh or one of readlink, head, find, wc that the file tools use; use an image with busybox or coreutils.",
  };
  if (result.code === 0) return undefined;
  return new InputError('path', why[result.code] ?? `Could not reach ${shown} in the workspace: ${result.stderr.trim() || `exit code ${result.code}`}.`);
}

export async function readBoxFile(connection: EngineConnection, ws: Workspace, path: string, cap: number): Promise<BoxFile> {
  const result = await run(connection, ws, readScript, [path, String(cap)]);
  const error = failure(result, path);
  if (error) throw error;
  const size = Number(result.stderr.trim().split('\n').pop());
  if (result.stdout.includes('\0')) {
    throw new InputError('path', `${shownPath(path)} is a binary file (${size} bytes); inspect it through workspace_exec (for example od -c or base64).`);
  }
  return { text: result.stdout, size, truncated: size > cap };
}

export async function writeBoxFile(connection: EngineConnection, ws: Workspace, path: string, content: string): Promise<number> {
  const bytes = Buffer.from(content, 'utf8');
  const result = await run(connection, ws, writeScript, [path], bytes);
  const error = failure(result, path);
  if (error) throw error;
  return bytes.length;
}

const kinds: Record<string, BoxEntry['type']> = { d: 'directory', l: 'symlink' };

export async function listBoxFiles(connection: EngineConnection, ws: Workspace, path: string, depth: number, most: number): Promise<BoxEntry[]> {
  const result = await run(connection, ws, listScript, [path, String(depth), String(most + 1)]);
  const error = failure(result, path);
  if (error) throw error;
  const entries: BoxEntry[] = [];
  for (const line of result.stdout.split('\n')) {
    const tab = /^([dl])\t\.\/(.*)$/.exec(line);
    if (tab) entries.push({ path: tab[2], type: kinds[tab[1]] });
    // wc -c: "SIZE ./path"; its "SIZE total" line has no "./".
    const counted = /^\s*(\d+) \.\/(.*)$/.exec(line);
    if (counted) entries.push({ path: counted[2], type: 'file', size: Number(counted[1]) });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}
