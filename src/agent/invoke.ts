import { asActor } from '../audit/sink';
import { CancelledError, EngineError, InputError } from '../engine/errors';
import { AgentHost, AgentTool, ToolCall, ToolResult } from './tool';

/** One line of the record every front end keeps of the calls (the log, stderr; next: the audit trail). */
export interface ToolCallRecord {
  at: string;
  tool: string;
  /** The workspace it acted on, when it got that far (or the one named). */
  workspace?: string;
  outcome: 'ok' | 'error' | 'cancelled';
  /** What came of it, or why it failed. */
  summary: string;
  durationMs: number;
  /** The arguments as the agent gave them (the audit trail keeps them, capped). */
  input?: unknown;
}

export type ToolCallRecorder = (record: ToolCallRecord) => void;

/** What the agent reads for a failure: the message a person would read, with its fix. */
export function agentErrorText(err: unknown): string {
  if (err instanceof EngineError) return err.userMessage;
  if (err instanceof InputError || err instanceof CancelledError) return err.message;
  return `Internal error in AICLI Workspaces: ${err instanceof Error ? err.message : String(err)}`;
}

/** The workspace a call named: `workspace`, or the `name` of a create. */
function namedWorkspace(input: unknown): string | undefined {
  const args = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const value = args.workspace ?? args.name;
  return typeof value === 'string' ? value : undefined;
}

/** Runs one call; a failure becomes an error result (never a crash of the server), and every call is recorded. */
export async function invokeAgentTool(tool: AgentTool, host: AgentHost, input: unknown, call: ToolCall, record: ToolCallRecorder): Promise<ToolResult> {
  const started = Date.now();
  const done = (outcome: ToolCallRecord['outcome'], summary: string, workspace: string | undefined): void =>
    record({ at: new Date(started).toISOString(), tool: tool.name, workspace, outcome, summary, durationMs: Date.now() - started, input });
  try {
    // What the call causes further down (a create, an exec) is recorded as the agent's doing.
    const result = await asActor('agent', () => tool.run(host, input, call));
    done(result.isError ? 'error' : 'ok', result.summary, result.workspace ?? namedWorkspace(input));
    return result;
  } catch (err) {
    const text = agentErrorText(err);
    done(err instanceof CancelledError ? 'cancelled' : 'error', text, namedWorkspace(input));
    return { text, data: { error: text }, isError: true, summary: text };
  }
}

/** `aicli-ws mcp` on stderr and the extension's log: one line a call. */
export function formatToolCallRecord(record: ToolCallRecord): string {
  const where = record.workspace ? ` ${record.workspace}` : '';
  return `agent tool ${record.tool}${where}: ${record.outcome} (${record.durationMs} ms) ${record.summary}`;
}
