import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { invokeAgentTool, ToolCallRecorder } from '../agent/invoke';
import { AgentHost, AgentTool, ToolCall } from '../agent/tool';

export const mcpServerName = 'aicli-workspaces';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A call's progress as MCP progress notifications, when the client asked for them (a progressToken). */
function toolCall(extra: Extra): ToolCall {
  const token = extra._meta?.progressToken;
  let step = 0;
  return {
    signal: extra.signal,
    progress(message) {
      if (token === undefined) return;
      step += 1;
      // A client that went away cannot be told; the call itself goes on or is cancelled.
      extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: step, message } }).catch(() => undefined);
    },
  };
}

/** The agent tools as an MCP server: schemas from the tools, every call through invokeAgentTool (recorded, never a crash). */
export function makeMcpServer(host: AgentHost, tools: AgentTool[], record: ToolCallRecorder, version: string): McpServer {
  const server = new McpServer(
    { name: mcpServerName, version },
    {
      instructions:
        'Isolated Docker workspaces for a project folder. Create one with workspace_create, then run commands and edit files in it; ' +
        'in review mode nothing reaches the folder until a person applies the changes (workspace_changes, workspace_diff show them).',
    },
  );
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { title: tool.title, readOnlyHint: tool.readOnly, destructiveHint: tool.destructive, openWorldHint: false },
      },
      async (args: unknown, extra: Extra): Promise<CallToolResult> => {
        const result = await invokeAgentTool(tool, host, args, toolCall(extra), record);
        return { content: [{ type: 'text', text: result.text }], structuredContent: result.data, ...(result.isError ? { isError: true } : {}) };
      },
    );
  }
  return server;
}
