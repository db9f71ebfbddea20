import { auditLine } from './line';
import { AuditFilter, readAuditTrail } from './reader';
import { AuditActor, AuditRecord, AuditVia } from './record';
import { appendAuditLine, AuditLimits, defaultAuditLimits } from './segments';
import { AuditEntry, AuditSink, errorText } from './sink';

export interface AuditTrailOptions {
  /** The folder of the trail's files (auditDirectory(): one for every front end). */
  directory: string;
  via: AuditVia;
  /** Who acts when a record says no one (see AuditActor): 'user' in VS Code, 'cli' in aicli-ws, 'agent' in the MCP server. */
  actor: AuditActor;
  /** Read on every record (aicli.audit.enabled, AICLI_AUDIT): off, nothing is written. */
  enabled?: () => boolean;
  /**
   * Told when a record cannot be written (read-only file, full disk, a folder in the way):
   * once, and again only after a write has succeeded meanwhile. The action goes on.
   */
  onError?: (message: string) => void;
  limits?: AuditLimits;
  now?: () => number;
}

/**
 * The audit trail: append-only JSON lines in one folder that the extension, aicli-ws and the
 * MCP server all write and read, rotated by size (segments.ts). Writes are synchronous: a
 * record is on disk before the action it records goes on (aicli-ws exits right after its
 * verb), and one small write a record is far below what any caller would notice.
 */
export class AuditTrail {
  readonly directory: string;
  private failing = false;

  constructor(private readonly options: AuditTrailOptions) {
    this.directory = options.directory;
  }

  get enabled(): boolean {
    return this.options.enabled?.() ?? true;
  }

  /** The sink the core writes through (EngineScopeOptions.audit, the agent tools' recorder). */
  sink(): AuditSink {
    return new AuditSink((entry) => this.append(entry));
  }

  /** Writes one record; never throws. */
  append(entry: AuditEntry): void {
    if (!this.enabled) return;
    const now = this.options.now?.() ?? Date.now();
    const { atMs, type, actor, engine, workspace, ...values } = entry;
    const record: AuditRecord = {
      at: new Date(atMs ?? now).toISOString(),
      type,
      actor: actor ?? this.options.actor,
      via: this.options.via,
      pid: process.pid,
      ...(engine === undefined ? {} : { engine }),
      ...(workspace === undefined ? {} : { workspace }),
      ...values,
    };
    try {
      appendAuditLine(this.directory, auditLine(record), this.options.limits ?? defaultAuditLimits, now);
      this.failing = false;
    } catch (err) {
      if (this.failing) return;
      this.failing = true;
      const message = `Cannot write the audit trail in ${this.directory}: ${errorText(err)}. Actions go on, unrecorded until it can be written again.`;
      try {
        this.options.onError?.(message);
      } catch {
        // A broken report must not break the action either.
      }
    }
  }

  /** The records that pass the filter, oldest first, from every file of the trail. */
  read(filter: AuditFilter = {}): AuditRecord[] {
    return readAuditTrail(this.directory, filter);
  }
}

/** The export format (VS Code's Export Audit Trail): JSON lines, as the trail keeps them. */
export function auditJsonLines(records: readonly AuditRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}
