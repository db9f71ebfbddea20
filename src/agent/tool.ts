import { z } from 'zod';
import { InputError } from '../engine/errors';
import type { AlertJson } from '../monitor/alertsReport';
import { Workspace } from '../workspace/model';
import { EngineScope } from '../workspace/scope';
import { AgentPolicy, agentMayUse } from './policy';

/** What a front end (the MCP server, VS Code's language-model tools) gives the tools. */
export interface AgentHost {
  scope: EngineScope;
  policy: AgentPolicy;
  /** The current alerts of a workspace, from a monitor the front end keeps running. */
  alerts(workspace: Workspace): Promise<AlertJson[]>;
}

/** One call of a tool. */
export interface ToolCall {
  /** Aborted when the agent cancels the call. */
  signal: AbortSignal;
  /** A step of a slow call (create): one short sentence. */
  progress(message: string): void;
}

export interface ToolResult {
  /** What the agent reads. */
  text: string;
  /** The same as data (MCP structuredContent). */
  data: Record<string, unknown>;
  /** A result the agent must treat as a failure (a command past its timeout). */
  isError?: boolean;
  /** For the record: the workspace the call acted on. */
  workspace?: string;
  /** For the record: what came of it, in a few words. */
  summary: string;
}

/** One tool as every front end registers it; `input` is the schema its arguments are checked against. */
export interface AgentTool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  /** Changes nothing (MCP readOnlyHint). */
  readOnly: boolean;
  /** May destroy work (MCP destructiveHint): stop, remove, discard. */
  destructive: boolean;
  run(host: AgentHost, input: unknown, call: ToolCall): Promise<ToolResult>;
}

/** A tool whose run gets its arguments parsed by its own schema (again: a front end may not check them). */
export function defineTool<Schema extends z.ZodObject>(tool: {
  name: string;
  title: string;
  description: string;
  input: Schema;
  readOnly: boolean;
  destructive: boolean;
  run(host: AgentHost, input: z.infer<Schema>, call: ToolCall): Promise<ToolResult>;
}): AgentTool {
  return { ...tool, run: (host, input, call) => tool.run(host, parseArguments(tool.name, tool.input, input), call) };
}

function parseArguments<Schema extends z.ZodObject>(name: string, schema: Schema, input: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new InputError('arguments', `Invalid arguments for ${name}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
}

export const workspaceArgument = z.string().min(1).describe('Name or id of the workspace (workspace_list shows them; workspace_create makes one).');

/** By name or id, and only one this agent may use; an unknown one gets a message that says how to find the right one. */
export async function findWorkspace(host: AgentHost, reference: string): Promise<Workspace> {
  const workspace = await host.scope.service.find(reference).catch((err: unknown) => {
    if (err instanceof InputError)
      throw new InputError('workspace', `No workspace "${reference}" on this engine: call workspace_list to see them, or workspace_create to make one.`);
    throw err;
  });
  const refused = agentMayUse(host.policy, workspace);
  if (refused)
    throw new InputError('workspace', `Workspace ${workspace.name} is not open to agents here: ${refused}. workspace_list shows the ones you may use.`);
  return workspace;
}

/** Commands and file tools need a running box; say how to get one. */
export async function runningWorkspace(host: AgentHost, reference: string): Promise<Workspace> {
  const workspace = await findWorkspace(host, reference);
  if (workspace.state === 'running') return workspace;
  const how =
    workspace.state === 'paused'
      ? 'it was paused (by a person, or by the security monitor after a breach: see workspace_alerts); a person unpauses it'
      : 'start it with workspace_start';
  throw new InputError('workspace', `Workspace ${workspace.name} is ${workspace.state}, not running: ${how}.`);
}

export const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The tool's arguments as JSON Schema (draft 7, as the MCP SDK lists them), without the $schema key. */
export function toolJsonSchema(tool: Pick<AgentTool, 'input'>): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(tool.input, { target: 'draft-7' }) as Record<string, unknown>;
  return schema;
}
