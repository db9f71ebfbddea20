import * as vscode from 'vscode';
import { AuditFilter } from '../../audit/reader';
import { AuditRecord } from '../../audit/record';
import { errorText } from '../../audit/sink';
import { auditTable, localTime } from '../../audit/table';
import { AuditTrail } from '../../audit/trail';

export const auditScheme = 'aicli-audit';

/** What one audit document shows: the reader's filter, and the alert values the Security view splits by. */
export interface AuditView {
  /** A workspace's name or id (as the reader matches it). */
  workspace?: string;
  /** The workspace's name for the title, when `workspace` is its id. */
  name?: string;
  engine?: string;
  types?: string[];
  sinceMs?: number;
  /** Only records (alert.raised …) of this severity / alert type. */
  severity?: string;
  alertType?: string;
}

const textKeys = ['workspace', 'name', 'engine', 'severity', 'alertType'] as const;

/** A document per view: the same view opens the same document (refreshed, not a second tab). */
export function auditUri(view: AuditView): vscode.Uri {
  const query = new URLSearchParams();
  for (const key of textKeys) if (view[key]) query.set(key, view[key]);
  if (view.types?.length) query.set('types', view.types.join(','));
  if (view.sinceMs !== undefined) query.set('since', String(Math.round(view.sinceMs)));
  const narrowed = [view.alertType, view.severity, ...(view.types ?? [])].filter(Boolean).join(', ');
  const title = `${view.name ?? view.workspace ?? 'all workspaces'}${narrowed ? ` (${narrowed})` : ''}`;
  return vscode.Uri.from({ scheme: auditScheme, path: `/${title}.audit`, query: query.toString() });
}

export function auditViewOf(uri: vscode.Uri): AuditView {
  const query = new URLSearchParams(uri.query);
  const view: AuditView = {};
  for (const key of textKeys) {
    const value = query.get(key);
    if (value) view[key] = value;
  }
  const types = query.get('types');
  if (types) view.types = types.split(',');
  const since = Number(query.get('since') ?? NaN);
  if (Number.isFinite(since)) view.sinceMs = since;
  return view;
}

/** The records a view shows, oldest first. */
export function readAuditView(trail: Pick<AuditTrail, 'read'>, view: AuditView): AuditRecord[] {
  const filter: AuditFilter = { workspace: view.workspace, engine: view.engine, sinceMs: view.sinceMs, types: view.types };
  return trail
    .read(filter)
    .filter((record) => (!view.severity || record.severity === view.severity) && (!view.alertType || record.alertType === view.alertType));
}

function header(view: AuditView, count: number, directory: string): string {
  const what = [
    (view.name ?? view.workspace) ? `workspace ${view.name ?? view.workspace}` : 'all workspaces',
    view.engine && view.engine !== 'default' ? `on ${view.engine}` : '',
    view.types?.length ? view.types.join(', ') : '',
    view.alertType ?? '',
    view.severity ?? '',
    view.sinceMs === undefined ? '' : `since ${localTime(new Date(view.sinceMs).toISOString())}`,
  ].filter(Boolean);
  return `# AICLI audit trail: ${what.join(' · ')}: ${count} record${count === 1 ? '' : 's'}, oldest first (${directory}; aicli-ws audit --json has every value)`;
}

/** The read-only audit documents: the table `aicli-ws audit` prints, for the view in the URI. */
export class AuditDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly trail: AuditTrail) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const view = auditViewOf(uri);
    let records: AuditRecord[];
    try {
      records = readAuditView(this.trail, view);
    } catch (err) {
      return `# Cannot read the audit trail in ${this.trail.directory}: ${errorText(err)}\n`;
    }
    const off = this.trail.enabled ? '' : '\n# aicli.audit.enabled is off: nothing new is recorded in this window.';
    const body = records.length ? auditTable(records) : 'No records match.';
    return `${header(view, records.length, this.trail.directory)}${off}\n\n${body}\n`;
  }

  /** Reads the trail again for an open document (the trail has no change event: other processes write it too). */
  refresh(uri: vscode.Uri): void {
    this.changeEmitter.fire(uri);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
