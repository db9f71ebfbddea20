import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CancelledError } from '../engine/errors';
import { AuditActor, AuditOutcome, AuditType, AuditWorkspace } from './record';

export type AuditValues = Record<string, unknown>;

/** What a writer hands the trail; the trail adds at (unless given), via, pid and the default actor. */
export interface AuditEntry {
  type: AuditType;
  workspace?: AuditWorkspace;
  actor?: AuditActor;
  engine?: string;
  /** When it happened (ms); default: now. */
  atMs?: number;
  [value: string]: unknown;
}

export interface AuditSessionEnd {
  exitCode?: number;
  /** What ended it otherwise (a CancelledError is recorded as cancelled). */
  error?: unknown;
}

/** An exec or terminal session between its start record and its end record. */
export interface AuditSession {
  readonly id: string;
  /** Records the end; only the first call counts (a terminal closes and reports its exit). */
  end(result?: AuditSessionEnd): void;
}

/**
 * Who acts, for the records an action causes further down (the service's, when an agent's
 * tool call creates or runs something): set around the call, read by every record inside it,
 * without threading an actor through each core API.
 */
const actingAs = new AsyncLocalStorage<AuditActor>();

export function asActor<T>(actor: AuditActor, run: () => T): T {
  return actingAs.run(actor, run);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const outcomeOf = (err: unknown): AuditOutcome => (err instanceof CancelledError ? 'cancelled' : 'error');

/**
 * Where the core writes its records: the service, the review service, the monitor, the agent
 * tools. Bound to one engine by the scope; AuditSink.none when the front end keeps no trail.
 * Recording never throws and never waits: a failed write is the trail's to report.
 */
export class AuditSink {
  static readonly none = new AuditSink(undefined);

  constructor(
    private readonly write: ((entry: AuditEntry) => void) | undefined,
    readonly engine?: string,
  ) {}

  /** The same trail, stamping this engine's name on every record. */
  forEngine(engine: string): AuditSink {
    return new AuditSink(this.write, engine);
  }

  record(entry: AuditEntry): void {
    if (!this.write) return;
    try {
      this.write({ ...entry, engine: entry.engine ?? this.engine, actor: entry.actor ?? actingAs.getStore() });
    } catch {
      // The trail reports its own failures; the action being recorded goes on regardless.
    }
  }

  /** Runs an action and records its outcome (ok, error, cancelled); the result or error passes through unchanged. */
  async action<T>(
    type: AuditType,
    workspace: AuditWorkspace | undefined,
    values: AuditValues,
    run: () => Promise<T>,
    after: (result: T) => AuditValues = () => ({}),
  ): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (err) {
      this.record({ type, workspace, ...values, outcome: outcomeOf(err), error: errorText(err) });
      throw err;
    }
    this.record({ type, workspace, ...values, outcome: 'ok', ...after(result) });
    return result;
  }

  /**
   * Records the start of an exec or a terminal session now and returns the handle that
   * records its end: a session that never ends (a crash) still leaves its start.
   */
  session(kind: 'exec' | 'terminal', workspace: AuditWorkspace, values: AuditValues & { command: string[] | string }): AuditSession {
    const id = randomUUID();
    const startedAt = Date.now();
    // The actor of the start holds for the end, which may come from another call chain (a terminal's close).
    const actor = actingAs.getStore();
    this.record({ type: `${kind}.start`, workspace, actor, session: id, ...values });
    let ended = false;
    return {
      id,
      end: (result = {}) => {
        if (ended) return;
        ended = true;
        const failure = result.error === undefined ? {} : { outcome: outcomeOf(result.error), error: errorText(result.error) };
        this.record({
          type: `${kind}.end`,
          workspace,
          actor,
          session: id,
          ...values,
          startedAt: new Date(startedAt).toISOString(),
          durationMs: Date.now() - startedAt,
          ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
          outcome: 'ok',
          ...failure,
        });
      },
    };
  }
}

/** A workspace as records name it. */
export function auditWorkspace(workspace: { name: string; id?: string }): AuditWorkspace {
  return workspace.id === undefined ? { name: workspace.name } : { name: workspace.name, id: workspace.id };
}
