/**
 * Who did it. A front end says who acts by default ('user' in VS Code, 'cli' in aicli-ws,
 * 'agent' in the MCP server); an agent's tool call and the monitor's own decisions say so
 * themselves, whichever process they run in:
 * - user: a person, through the extension (its UI acts only on a click or a key),
 * - cli: aicli-ws from a shell or a script (a person and CI look the same to it),
 * - agent: a tool call of an agent (MCP, VS Code's language-model tools) and all it caused,
 * - monitor: the monitor's findings and its breach responses, and what the lifetimes do
 *   unasked (an idle or too old workspace stopped, a periodic cleanup).
 */
export type AuditActor = 'user' | 'cli' | 'agent' | 'monitor';

/** The front end whose process wrote the record (several write one trail). */
export type AuditVia = 'extension' | 'cli' | 'mcp';

export type AuditOutcome = 'ok' | 'error' | 'cancelled';

export interface AuditWorkspace {
  name: string;
  /** Unknown for a create that failed before the workspace existed. */
  id?: string;
}

/** One line of the trail: the fields every record has, then the values of its type (see auditTypes). */
export interface AuditRecord {
  /** ISO time of the event (of its end, for the end of an exec or a session). */
  at: string;
  type: AuditType;
  actor: AuditActor;
  via: AuditVia;
  /** The writing process: tells two VS Code windows apart. */
  pid: number;
  /** The engine scope's name ('default' for the default engine). */
  engine?: string;
  workspace?: AuditWorkspace;
  outcome?: AuditOutcome;
  error?: string;
  [value: string]: unknown;
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));
const words = (...parts: unknown[]): string =>
  parts
    .map(text)
    .filter((part) => part !== '')
    .join(' ');
const command = (record: AuditRecord): string => (Array.isArray(record.command) ? record.command.map(text).join(' ') : text(record.command));
const failed = (record: AuditRecord): string =>
  record.outcome && record.outcome !== 'ok' ? `${record.outcome}${record.error ? `: ${record.error}` : ''}` : '';
const lifecycle = {
  values: 'outcome, error; state (after); reason, limitMs, idleForMs, ageMs (a stop of the lifetimes: lifetime.idleStop, lifetime.maxAge)',
  what: (r: AuditRecord) => words(failed(r) || text(r.state), r.reason === undefined ? '' : `(${text(r.reason)})`),
};
const alertValues = 'rule, alertType, severity, policyItem, message, conditionAt, detectedAt, accepted';

/**
 * Every record type: the values it carries (beyond at, type, actor, via, pid, engine,
 * workspace) and the CLI's "what" column. The one list of types: the writers, the reader's
 * --type check and the table all use it.
 */
export const auditTypes = {
  'workspace.create': {
    values: 'folder, image, level, mount, egress, outcome, error; state (after)',
    what: (r: AuditRecord) => words(failed(r), r.level, r.image, r.folder),
  },
  'workspace.remove': { values: 'outcome, error', what: (r: AuditRecord) => failed(r) || 'removed' },
  'workspace.start': lifecycle,
  'workspace.stop': lifecycle,
  'workspace.restart': lifecycle,
  'workspace.pause': lifecycle,
  'workspace.unpause': lifecycle,
  'exec.start': { values: 'session, command', what: (r: AuditRecord) => command(r) },
  'exec.end': {
    values: 'session, command, startedAt, durationMs, exitCode, outcome, error',
    what: (r: AuditRecord) => words(`exit ${text(r.exitCode) || '?'}`, failed(r), `(${text(r.durationMs)} ms)`, command(r)),
  },
  'terminal.start': {
    values: 'session, command (the shell), user (in the box, when not its own)',
    what: (r: AuditRecord) => words(command(r), r.user === undefined ? '' : `as ${text(r.user)}`),
  },
  'terminal.end': {
    values: 'session, command, user, startedAt, durationMs, exitCode, outcome, error',
    what: (r: AuditRecord) => words(`exit ${text(r.exitCode) || '?'}`, failed(r), `(${text(r.durationMs)} ms)`),
  },
  'tool.call': {
    values: 'tool, input (capped), outcome, summary, durationMs',
    what: (r: AuditRecord) => words(r.tool, r.outcome, `(${text(r.durationMs)} ms)`, r.summary),
  },
  'alert.raised': { values: alertValues, what: (r: AuditRecord) => words(`${text(r.severity)} ${text(r.alertType)}/${text(r.rule)}:`, r.message) },
  'alert.cleared': {
    values: `${alertValues}, heldMs`,
    what: (r: AuditRecord) => words(`${text(r.alertType)}/${text(r.rule)} after ${Math.round(Number(r.heldMs) / 1000)} s`),
  },
  'breach.response': {
    values: 'action, outcome, error, rule, alertType, severity, message',
    what: (r: AuditRecord) => words(r.action, failed(r) || 'done', `for ${text(r.alertType)}/${text(r.rule)}`),
  },
  'egress.blocked': {
    values: 'destination, port, protocol, attempts (to it so far)',
    what: (r: AuditRecord) => words(`${text(r.protocol)} ${text(r.destination)}${r.port === undefined ? '' : `:${text(r.port)}`}`, `(#${text(r.attempts)})`),
  },
  'review.apply': { values: 'requested, paths, count, outcome, error', what: (r: AuditRecord) => failed(r) || `${text(r.count)} path(s)` },
  'review.discard': { values: 'requested, paths, count, outcome, error', what: (r: AuditRecord) => failed(r) || `${text(r.count)} path(s)` },
  'lifetime.kept': {
    values: 'rule (idleStop, maxAge), limitMs, idleForMs, ageMs: Keep Running clicked on the notice before a stop',
    what: (r: AuditRecord) => words('kept running despite', r.rule),
  },
  'cleanup.apply': {
    values: 'trigger (command, startup, interval), planned, removed, gone, failed, outcome (cancelled: the run was skipped)',
    what: (r: AuditRecord) =>
      failed(r) ||
      words(
        text(r.trigger),
        `removed ${Array.isArray(r.removed) ? r.removed.length : 0}`,
        Array.isArray(r.failed) && r.failed.length ? `failed ${r.failed.length}` : '',
      ),
  },
  'audit.suppressed': {
    values: 'counts (by type), windowMs: records of a flooding workspace left out',
    what: (r: AuditRecord) => `left out ${text(r.counts)} in ${Math.round(Number(r.windowMs) / 1000)} s`,
  },
} satisfies Record<string, { values: string; what: (record: AuditRecord) => string }>;

export type AuditType = keyof typeof auditTypes;

export const auditTypeNames = Object.keys(auditTypes) as AuditType[];

/** The CLI's "what" column of a record (a record of an unknown type, from a newer version: its values). */
export function describeRecord(record: AuditRecord): string {
  const type = auditTypes[record.type as AuditType];
  return type ? type.what(record) : text(record);
}
