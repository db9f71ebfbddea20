// The core's agent tools as VS Code's language-model tools offer them: on the workspace of the open
// folder, so without their `workspace` argument. No vscode import: the unit tests check package.json's
// contributes.languageModelTools against the entries made here, so the two cannot drift apart.
import { AgentTool, toolJsonSchema } from '../../agent/tool';
import { workspaceAlerts } from '../../agent/tools/alerts';
import { workspaceExec } from '../../agent/tools/exec';
import { workspaceListFiles, workspaceReadFile, workspaceWriteFile } from '../../agent/tools/files';
import { workspaceLogs } from '../../agent/tools/logs';
import { workspaceChanges, workspaceDiff } from '../../agent/tools/review';

export type ToolInput = Record<string, unknown>;

/** One core tool bound to the open folder's workspace. */
export interface FolderTool {
  core: AgentTool;
  /** VS Code's name of the tool: `aicli_` and the core's name. */
  name: string;
  /** What a chat prompt writes after `#` to name it. */
  referenceName: string;
  icon: string;
  /** Works on a running box only: a stopped workspace is started first. */
  needsRunning: boolean;
  /** What the call does, for the messages: "Running `npm test`". */
  doing(input: ToolInput): string;
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value ? value : fallback);

function folderTool(core: AgentTool, icon: string, needsRunning: boolean, doing: (input: ToolInput) => string): FolderTool {
  return { core, name: `aicli_${core.name}`, referenceName: `aicli_${core.name.replace(/^workspace_/, '')}`, icon, needsRunning, doing };
}

/** Every tool VS Code offers, in the order package.json lists them. Create, start, stop and remove stay the person's. */
export const folderTools: readonly FolderTool[] = [
  folderTool(
    workspaceExec,
    '$(terminal)',
    true,
    (input) => `Running \`${text(input.command, '(no command)')}\`${input.cwd ? ` in ${text(input.cwd, '')}` : ''}`,
  ),
  folderTool(workspaceReadFile, '$(file)', true, (input) => `Reading ${text(input.path, '(no path)')}`),
  folderTool(workspaceWriteFile, '$(edit)', true, (input) => `Writing ${text(input.path, '(no path)')}`),
  folderTool(workspaceListFiles, '$(list-tree)', true, (input) => `Listing ${text(input.path, '/workspace')}`),
  folderTool(workspaceLogs, '$(output)', false, () => "Reading the box's log"),
  folderTool(workspaceChanges, '$(diff-multiple)', false, () => 'Listing the changes'),
  folderTool(workspaceDiff, '$(diff)', false, (input) =>
    Array.isArray(input.paths) && input.paths.length ? `Showing the diff of ${input.paths.join(', ')}` : 'Showing the diff',
  ),
  folderTool(workspaceAlerts, '$(shield)', false, () => 'Reading the security alerts'),
];

/** Said to the model after every core description: where the tool acts, and why it has no workspace argument. */
export const openFolderNote =
  'It acts on the AICLI workspace of the folder open in VS Code: an isolated, resource-limited container that sees the folder at /workspace (there is no workspace argument). The first call creates that workspace once the user confirms.';

/** The core's schema (as the MCP server lists it) without `workspace`: the tool fills that in. */
export function folderInputSchema(core: AgentTool): Record<string, unknown> {
  const {
    type,
    properties = {},
    required = [],
    ...rest
  } = toolJsonSchema(core) as {
    type?: string;
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const { workspace: _workspace, ...others } = properties;
  const left = required.filter((key) => key !== 'workspace');
  return { type, properties: others, ...(left.length ? { required: left } : {}), ...rest };
}

/** The package.json entry of one tool (contributes.languageModelTools[]). */
export function languageModelToolEntry(tool: FolderTool): Record<string, unknown> {
  return {
    name: tool.name,
    displayName: tool.core.title,
    toolReferenceName: tool.referenceName,
    canBeReferencedInPrompt: true,
    icon: tool.icon,
    userDescription: "In the open folder's AICLI workspace: an isolated container, which the first call creates after you confirm.",
    modelDescription: `${tool.core.description} ${openFolderNote}`,
    inputSchema: folderInputSchema(tool.core),
    when: 'workspaceFolderCount > 0',
  };
}
