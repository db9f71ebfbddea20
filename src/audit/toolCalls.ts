import type { ToolCallRecord, ToolCallRecorder } from '../agent/invoke';
import { AuditSink } from './sink';

/**
 * The recorder a front end passes to invokeAgentTool: each call as one log line (the MCP
 * server's stderr, the extension's log) and as one tool.call record of the trail.
 */
export function auditedToolCalls(sink: AuditSink, logLine: (record: ToolCallRecord) => void): ToolCallRecorder {
  return (record) => {
    logLine(record);
    const { at, tool, workspace, outcome, summary, durationMs, input } = record;
    sink.record({
      type: 'tool.call',
      actor: 'agent',
      atMs: Date.parse(at) + durationMs,
      ...(workspace === undefined ? {} : { workspace: { name: workspace } }),
      tool,
      outcome,
      summary,
      durationMs,
      startedAt: at,
      ...(input === undefined ? {} : { input }),
    });
  };
}
