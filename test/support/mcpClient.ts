// The MCP SDK's own client on `aicli-ws mcp` over stdio: what an agent's MCP client does.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { cliPath } from './paths';

export interface ToolAnswer {
  text: string;
  isError: boolean;
  data: Record<string, unknown>;
}

export interface McpSession {
  client: Client;
  /** What the server wrote on stderr so far (its record of every call). */
  stderr(): string;
  call(name: string, args: Record<string, unknown>, options?: RequestOptions): Promise<ToolAnswer>;
  close(): Promise<void>;
}

/** Starts `node dist/cli.js mcp ARGS` and connects; DOCKER_HOST comes from this process. */
export async function startMcp(args: string[], cwd?: string): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp', ...args],
    env: Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'aicli-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    async call(name, callArgs, options) {
      const result = await client.callTool({ name, arguments: callArgs }, undefined, { timeout: 120_000, ...options });
      const content = (result.content ?? []) as { type: string; text?: string }[];
      const text = content.map((part) => part.text ?? '').join('\n');
      return { text, isError: result.isError === true, data: (result.structuredContent ?? {}) as Record<string, unknown> };
    },
    close: () => client.close(),
  };
}
