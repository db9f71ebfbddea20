import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { AuditRecord } from '../../audit/record';
import { errorText } from '../../audit/sink';
import { auditJsonLines, AuditTrail } from '../../audit/trail';
import { InputError } from '../../engine/errors';
import { CommandContext } from '../commands/context';
import { CommandRun, registerCommand } from '../commands/kernel';
import { AuditDocumentProvider, auditScheme, auditUri, AuditView, readAuditView } from './auditDocument';

/** One workspace of the trail (by name or id, on one engine), or all of them (empty). */
export type WorkspaceChoice = Pick<AuditView, 'workspace' | 'name' | 'engine'>;

export type ExportRange = 'hour' | 'day' | 'week' | 'all';

const exportRanges: { range: ExportRange; label: string; ms?: number }[] = [
  { range: 'hour', label: 'Last hour', ms: 3_600_000 },
  { range: 'day', label: 'Last 24 hours', ms: 86_400_000 },
  { range: 'week', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { range: 'all', label: 'Everything', ms: undefined },
];

/** Export Audit Trail's arguments for scripts and tests: with a target it asks nothing (range default: everything). */
export interface ExportOptions extends WorkspaceChoice {
  target?: vscode.Uri | string;
  range?: ExportRange;
}

function readTrail(trail: AuditTrail, read: () => AuditRecord[]): AuditRecord[] {
  try {
    return read();
  } catch (err) {
    throw new InputError('audit', `Cannot read the audit trail in ${trail.directory}: ${errorText(err)}`);
  }
}

/**
 * The workspace a command was run on: a Workspaces row, or a workspace row of the Security view
 * (which names it by id: a workspace removed and made again under its name is another one).
 */
function clickedWorkspace(arg: unknown): WorkspaceChoice | undefined {
  const node = arg as { kind?: string; workspace?: { name: string; engine?: string }; entry?: { workspace: { name: string; id?: string }; engine: string } };
  if (node?.kind === 'workspace' && node.workspace) return { workspace: node.workspace.name, engine: node.workspace.engine ?? 'default' };
  if (node?.kind === 'securityWorkspace' && node.entry) {
    const { workspace, engine } = node.entry;
    return { workspace: workspace.id ?? workspace.name, name: workspace.name, engine };
  }
  return undefined;
}

/** An options object given by a script or a tree item's command (not a tree node, not a Uri). */
const isOptions = (arg: unknown): boolean => typeof arg === 'object' && arg !== null && !('kind' in arg) && !(arg instanceof vscode.Uri);

/** All workspaces, the engines' workspaces now, and those only the trail still names (removed ones). */
async function pickWorkspace(context: CommandContext, trail: AuditTrail, title: string): Promise<WorkspaceChoice | undefined> {
  const items = new Map<string, vscode.QuickPickItem & { choice: WorkspaceChoice }>();
  const add = (name: string, engine: string, description: string): void => {
    const key = `${engine}\0${name}`;
    const on = engine === 'default' ? '' : ` · on ${engine}`;
    if (!items.has(key)) items.set(key, { label: name, description: `${description}${on}`, choice: { workspace: name, engine } });
  };
  context.scopes.workspaces().forEach((ws) => add(ws.name, ws.engine ?? 'default', ws.state));
  for (const record of readTrail(trail, () => trail.read())) if (record.workspace) add(record.workspace.name, record.engine ?? 'default', 'in the trail only');
  const all = { label: 'All workspaces', description: 'and what concerns no workspace', choice: {} };
  const picked = await vscode.window.showQuickPick([all, ...items.values()], { title, placeHolder: 'Whose records' });
  return picked?.choice;
}

/** Show Audit Trail: the records of a workspace (or all, or a view the Security view names) as a read-only table. */
async function showAuditTrail(
  context: CommandContext,
  trail: AuditTrail,
  documents: AuditDocumentProvider,
  arg: unknown,
): Promise<vscode.TextEditor | undefined> {
  const view: AuditView | undefined = isOptions(arg)
    ? (arg as AuditView)
    : (clickedWorkspace(arg) ?? (await pickWorkspace(context, trail, 'Show Audit Trail')));
  if (!view) return undefined;
  const uri = auditUri(view);
  // An open document would keep what it read first: the trail has grown since.
  documents.refresh(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  // The newest records are at the end.
  const last = new vscode.Position(document.lineCount - 1, 0);
  return vscode.window.showTextDocument(document, { preview: true, selection: new vscode.Range(last, last) });
}

async function pickRange(): Promise<ExportRange | undefined> {
  const picked = await vscode.window.showQuickPick(exportRanges, { title: 'Export Audit Trail', placeHolder: 'Which records' });
  return picked?.range;
}

const stamp = (): string => new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');

/**
 * The file: asked with a save dialog that starts in the home folder, not the project folder,
 * which the box can write (an export there could be changed by what it records).
 */
async function exportTarget(options: ExportOptions): Promise<vscode.Uri | undefined> {
  if (options.target) return typeof options.target === 'string' ? vscode.Uri.file(options.target) : options.target;
  return vscode.window.showSaveDialog({
    title: 'Export Audit Trail',
    saveLabel: 'Export',
    defaultUri: vscode.Uri.file(join(homedir(), `aicli-audit-${stamp()}.jsonl`)),
    filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
  });
}

/** Export Audit Trail…: a range, a workspace (or all), a file: the records as JSON lines, as the trail keeps them. */
async function exportAuditTrail(context: CommandContext, trail: AuditTrail, arg: unknown): Promise<{ uri: vscode.Uri; count: number } | undefined> {
  const options: ExportOptions = isOptions(arg) ? (arg as ExportOptions) : {};
  const automated = options.target !== undefined;
  const range = options.range ?? (automated ? 'all' : await pickRange());
  if (!range) return undefined;
  const choice = clickedWorkspace(arg) ?? (automated || options.workspace ? options : await pickWorkspace(context, trail, 'Export Audit Trail'));
  if (!choice) return undefined;
  const uri = await exportTarget(options);
  if (!uri) return undefined;
  const ms = exportRanges.find((entry) => entry.range === range)?.ms;
  const view: AuditView = { workspace: choice.workspace, engine: choice.engine, sinceMs: ms === undefined ? undefined : Date.now() - ms };
  const title = `Exporting the audit trail to ${basename(uri.path)}`;
  const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async () => {
    const records = readTrail(trail, () => readAuditView(trail, view));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(auditJsonLines(records), 'utf8'));
    return records.length;
  });
  const whose = choice.workspace ? ` of ${choice.name ?? choice.workspace}` : '';
  const message = `Exported ${count} audit record${count === 1 ? '' : 's'}${whose} to ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}.`;
  // Not awaited: a script's call returns once the file is written.
  void vscode.window.showInformationMessage(message, 'Open').then((picked) => picked && vscode.window.showTextDocument(uri));
  return { uri, count };
}

/** Show Audit Trail, Export Audit Trail… and the aicli-audit: documents behind the first. */
export function registerAuditCommands(context: CommandContext, trail: AuditTrail, documents: AuditDocumentProvider): vscode.Disposable[] {
  return [
    documents,
    vscode.workspace.registerTextDocumentContentProvider(auditScheme, documents),
    registerCommand(context.log, 'aicli.showAuditTrail', 'Show the audit trail', (_run: CommandRun, arg?: unknown) =>
      showAuditTrail(context, trail, documents, arg),
    ),
    registerCommand(context.log, 'aicli.exportAuditTrail', 'Export the audit trail', (_run: CommandRun, arg?: unknown) =>
      exportAuditTrail(context, trail, arg),
    ),
  ];
}
