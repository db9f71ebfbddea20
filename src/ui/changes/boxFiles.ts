import { join } from 'node:path';
import * as vscode from 'vscode';
import { defaultEngineName } from '../../engine/engines';
import { Workspace } from '../../workspace/model';
import { Change } from '../../workspace/review/changes';
import { keptContentBytes } from '../../workspace/review/upper';
import { UiEngineScopes } from '../scopes';
import { ChangesModel } from './model';
import { kindText } from './summary';

export const boxScheme = 'aicli-box';

/**
 * Which bytes an aicli-box: document holds: the box's file (`box`), what the folder has at a
 * path that is not a plain file (`folder`: a link's target), or nothing (`none`: the side of an
 * added or deleted file that has no file).
 */
type Side = 'box' | 'folder' | 'none';

/** aicli-box:/<engine>/<workspace id>/<path>?side=…: read-only, served from the review volume. */
export function boxUri(workspace: Workspace, path: string, side: Side = 'box'): vscode.Uri {
  const engine = encodeURIComponent(workspace.engine ?? defaultEngineName);
  return vscode.Uri.from({ scheme: boxScheme, path: `/${engine}/${workspace.id}/${path}`, query: side === 'box' ? '' : `side=${side}` });
}

function parse(uri: vscode.Uri): { engine: string; id: string; path: string; side: Side } {
  const [, engine = '', id = '', ...rest] = uri.path.split('/');
  const side = new URLSearchParams(uri.query).get('side');
  return { engine: decodeURIComponent(engine), id, path: rest.join('/'), side: side === 'folder' || side === 'none' ? side : 'box' };
}

/** The text a link shows in a diff: its target, as `git diff` shows a link's blob. */
const linkText = (target: string): Uint8Array => Buffer.from(target);

/**
 * The box's side of the diff editor, read-only: stat and readFile from the last read of the
 * workspace's changes and the review volume; every write is refused.
 */
export class BoxFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly scopes: UiEngineScopes,
    private readonly model: ChangesModel,
  ) {
    // An open box document shows the latest read: tell the editors of a workspace that was read again.
    this.subscription = model.onDidRead((workspace) => {
      const changes = model.lastRead(workspace)?.changes ?? [];
      this.changeEmitter.fire(changes.map((change) => ({ type: vscode.FileChangeType.Changed, uri: boxUri(workspace, change.path) })));
    });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { workspace, change, side } = await this.resolve(uri);
    const readAt = this.model.lastRead(workspace)?.readAt ?? Date.now();
    const size = side === 'none' ? 0 : change?.box?.type === 'file' ? change.box.size : 0;
    return { type: vscode.FileType.File, ctime: readAt, mtime: readAt, size, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { workspace, change, side, path } = await this.resolve(uri);
    if (side === 'none') return new Uint8Array();
    if (side === 'folder') {
      if (change?.host?.type === 'symlink') return linkText(change.host.target);
      return Buffer.from(change?.host?.type === 'dir' ? '(a directory in the folder)\n' : '');
    }
    if (change?.box?.type === 'symlink') return linkText(change.box.target);
    if (change?.box?.type === 'dir') return Buffer.from('(a directory in the workspace)\n');
    return (await this.scopes.of(workspace).changes.boxContent(workspace, path)) ?? new Uint8Array();
  }

  readDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.FileNotADirectory(uri);
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  /** The workspace (from its engine's index, read when it is not there yet: an editor restored after a reload) and the path's change. */
  private async resolve(uri: vscode.Uri): Promise<{ workspace: Workspace; change: Change | undefined; side: Side; path: string }> {
    const { engine, id, path, side } = parse(uri);
    const scope = this.scopes.byName(engine);
    const find = (): Workspace | undefined => scope.index.workspaces.find((candidate) => candidate.id === id);
    if (!find()) await scope.index.resync(true);
    const workspace = find();
    if (!workspace) throw vscode.FileSystemError.FileNotFound(uri);
    const read = this.model.lastRead(workspace) ?? (await this.model.read(workspace));
    return { workspace, change: read.changes?.find((candidate) => candidate.path === path), side, path };
  }
}

/** Why a change has no text diff to show (undefined: it has one). */
function noDiffReason(change: Change): string | undefined {
  if (change.binary) {
    const sizes = [
      change.box?.type === 'file' ? `${change.box.size} bytes in the workspace` : '',
      change.host?.type === 'file' ? `${change.host.size} in the folder` : '',
    ];
    return `${change.path} is a binary file (${sizes.filter(Boolean).join(', ') || kindText(change)}): there is no text diff to show. Apply or discard it as a whole.`;
  }
  if (change.box?.type === 'file' && change.box.size > keptContentBytes) {
    return `${change.path} is larger than 1 MiB in the workspace: open it in a terminal of the workspace to see it, then apply or discard it as a whole.`;
  }
  return undefined;
}

/** vscode.diff of the folder's side (the file itself) against the box's (read-only); a message where a text diff means nothing. */
export async function openChangeDiff(workspace: Workspace, change: Change): Promise<void> {
  const reason = noDiffReason(change);
  if (reason) {
    void vscode.window.showInformationMessage(reason);
    return;
  }
  const folderSide = !change.host
    ? boxUri(workspace, change.path, 'none')
    : change.host.type === 'file'
      ? vscode.Uri.file(join(workspace.folder, change.path))
      : boxUri(workspace, change.path, 'folder');
  const boxSide = change.box ? boxUri(workspace, change.path) : boxUri(workspace, change.path, 'none');
  const mode = change.kind === 'mode' ? ` · ${kindText(change)}` : '';
  await vscode.commands.executeCommand('vscode.diff', folderSide, boxSide, `${change.path} (folder ↔ workspace)${mode}`, { preview: true });
}
