import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { invokeAgentTool, ToolCallRecorder } from '../../agent/invoke';
import { AgentPolicy, agentMayUse, defaultAgentLimits } from '../../agent/policy';
import { AgentHost, AgentTool, ToolCall, ToolResult } from '../../agent/tool';
import { workspaceCreate } from '../../agent/tools/create';
import { workspaceStart } from '../../agent/tools/lifecycle';
import { InputError } from '../../engine/errors';
import { alertJson } from '../../monitor/alertsReport';
import { defaultWorkspaceName, Workspace } from '../../workspace/model';
import { folderSettingMessage, FolderSettingsReporter } from '../ignoredFolderSettings';
import { UiEngineScope } from '../scopes';
import { readWorkspacePolicy } from '../settings';
import { FolderTool, ToolInput } from './folderTools';
import { CallTarget } from './messages';

export interface OpenFolderOptions {
  /** The default engine's scope, looked up on every call (the scopes are rebuilt when engines change). */
  scope: () => UiEngineScope;
  folderSettings: FolderSettingsReporter;
  /** Every call, the create and start made on the way included, goes to the extension's log. */
  record: ToolCallRecorder;
}

const stopped = (workspace: Workspace): boolean => workspace.state === 'exited' || workspace.state === 'created';

function realOrGiven(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

/**
 * The workspace of the open folder (the first workspace folder) on the default engine: where
 * VS Code's language-model tools act. Made on first use, and only after the person confirmed it.
 */
export class OpenFolderWorkspace {
  /**
   * The folder whose workspace prepareInvocation asked the person to create. VS Code runs invoke
   * only after the person said yes, and every invoke follows its own prepareInvocation, so a
   * create without this is one the person never saw (the workspace went away in between).
   */
  private createAskedFor: string | undefined;
  /** Two calls confirmed at once make one workspace. */
  private creating: Promise<{ workspace: Workspace; text: string }> | undefined;

  constructor(private readonly options: OpenFolderOptions) {}

  /** For prepareInvocation: where the call will run, and whether it must create the workspace first. */
  async target(): Promise<CallTarget> {
    const folder = this.folder();
    const policy = readWorkspacePolicy();
    const { workspace } = await this.lookUp(folder);
    this.createAskedFor = workspace ? undefined : folder;
    return {
      folder,
      level: policy.defaultLevel,
      mount: policy.projectMount ?? 'auto',
      workspace: workspace && { name: workspace.name, level: workspace.level, state: workspace.state },
    };
  }

  /** Runs the core tool on the folder's workspace; never throws (failures are error results, recorded). */
  run(tool: FolderTool, input: ToolInput, call: ToolCall): Promise<ToolResult> {
    // A workspace the model names is not taken: these tools act on the open folder's only.
    const { workspace: _named, ...args } = input;
    const bound: AgentTool = {
      ...tool.core,
      run: async (host, _input, boundCall) => {
        const { workspace, notes } = await this.ready(host, tool, boundCall);
        // Set on the object the call is recorded with, so a failure's record names the workspace too.
        args.workspace = workspace.containerId;
        const result = await tool.core.run(host, args, boundCall);
        return notes.length ? { ...result, text: [...notes, result.text].join('\n\n') } : result;
      },
    };
    return invokeAgentTool(bound, this.host(), args, call, this.options.record);
  }

  /** The first workspace folder, when it is a folder on this machine. */
  private openFolder(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder?.scheme === 'file' ? folder.fsPath : undefined;
  }

  private folder(): string {
    const folder = this.openFolder();
    if (!folder) {
      throw new InputError('folder', 'No project folder is open in VS Code: these tools act on the workspace of the open folder; ask the user to open one.');
    }
    return folder;
  }

  /**
   * The person's settings as an agent policy: the level, and (in the scope's own policy) all a
   * create uses; the open folder is the only folder; applying stays the person's.
   */
  private policy(folder: string | undefined): AgentPolicy {
    const folderRoots = folder ? [folder] : [];
    return { ...defaultAgentLimits, level: readWorkspacePolicy().defaultLevel, create: {}, allowApply: false, defaultFolder: folder ?? '', folderRoots };
  }

  private host(): AgentHost {
    const scope = this.options.scope();
    return {
      scope,
      // Without a folder the call fails in ready(), where it is recorded.
      policy: this.policy(this.openFolder()),
      alerts: async (workspace) => scope.monitor.alerts.list((alert) => alert.workspace.containerId === workspace.containerId).map(alertJson),
    };
  }

  /**
   * The folder's workspace (a running one first) and every name taken on the engine. One at a
   * weaker level than the settings' is the person's own, not the agent's (as for the MCP server).
   */
  private async lookUp(folder: string): Promise<{ workspace?: Workspace; names: Set<string> }> {
    const all = await this.options.scope().service.list();
    // Workspaces record the folder's real path.
    const paths = new Set([folder, realOrGiven(folder)]);
    const policy = this.policy(folder);
    const mine = all.filter((workspace) => paths.has(workspace.folder) && agentMayUse(policy, workspace) === undefined);
    return { workspace: mine.find((workspace) => workspace.state === 'running') ?? mine[0], names: new Set(all.map((workspace) => workspace.name)) };
  }

  /** The workspace, made or started when the tool needs it; notes say what happened on the way. */
  private async ready(host: AgentHost, tool: FolderTool, call: ToolCall): Promise<{ workspace: Workspace; notes: string[] }> {
    const folder = this.folder();
    const notes: string[] = [];
    let { workspace } = await this.lookUp(folder);
    if (!workspace) {
      const created = await this.create(host, folder, call);
      notes.push(created.text);
      workspace = created.workspace;
    }
    if (tool.needsRunning && stopped(workspace)) {
      const started = await invokeAgentTool(workspaceStart, host, { workspace: workspace.containerId }, call, this.options.record);
      if (started.isError) throw new InputError('workspace', started.text);
      notes.push(started.text);
      workspace = await host.scope.service.find(workspace.containerId);
    }
    return { workspace, notes };
  }

  private create(host: AgentHost, folder: string, call: ToolCall): Promise<{ workspace: Workspace; text: string }> {
    if (this.creating) return this.creating;
    if (this.createAskedFor !== folder) {
      throw new InputError('workspace', `There is no AICLI workspace for ${folder} (any more). Call the tool again: the user is asked to create one.`);
    }
    this.creating = this.createConfirmed(host, folder, call).finally(() => (this.creating = undefined));
    return this.creating;
  }

  private async createConfirmed(host: AgentHost, folder: string, call: ToolCall): Promise<{ workspace: Workspace; text: string }> {
    // As Create Workspace does: a user-only setting the folder applies all the same (the box may have written it) stops the create.
    const applied = (await this.options.folderSettings.check()).filter((setting) => setting.applied);
    if (applied.length) throw new InputError('folderSettings', applied.map(folderSettingMessage).join(' '));
    const name = freeName(folder, (await this.lookUp(folder)).names);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating the AICLI workspace ${name} for ${basename(folder)}` },
      (progress) =>
        invokeAgentTool(
          workspaceCreate,
          host,
          { folder, name },
          { signal: call.signal, progress: (message) => progress.report({ message }) },
          this.options.record,
        ),
    );
    if (result.isError) throw new InputError('workspace', result.text);
    this.createAskedFor = undefined;
    return { workspace: await host.scope.service.find(String(result.data.id)), text: result.text };
  }
}

/** The folder's name, or with -2, -3… when another workspace has it. */
function freeName(folder: string, taken: ReadonlySet<string>): string {
  const base = defaultWorkspaceName(folder).slice(0, 58);
  if (!taken.has(base)) return base;
  let suffix = 2;
  while (taken.has(`${base}-${suffix}`)) suffix++;
  return `${base}-${suffix}`;
}
