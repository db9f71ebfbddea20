import { resolve } from 'node:path';
import { aicliSettings } from './settings';
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { EngineConnection } from '../engine/connection';
import { AuditSession, auditWorkspace } from '../audit/sink';
import { CancelledError, EngineError, InputError } from '../engine/errors';
import { describeSessionEnd, InteractiveExecSession, openInteractiveExec, resolveShell, SessionEndReason } from '../engine/interactiveExec';
import { attachOf } from '../workspace/attach';
import { Workspace } from '../workspace/model';
import { runAttachCommands } from './terminalAttach';
import { CommandContext } from './commands/context';
import { targetWorkspaces } from './commands/targets';
import { showFailure } from './notify';
import { TreeNode } from './tree/nodes';

export interface TerminalSettings {
  /** "auto", or a program with arguments separated by spaces ("bash -l"). */
  shell: string;
  /** Empty: the workspace's own user. */
  user: string;
  env: Record<string, string>;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** aicli.terminal.*; entries of `env` that are not NAME → string are left out. */
export function readTerminalSettings(): TerminalSettings {
  const config = aicliSettings('aicli.terminal');
  const env = config.get<Record<string, unknown>>('env', {});
  return {
    shell: config.get<string>('shell', 'auto').trim() || 'auto',
    user: config.get<string>('user', '').trim(),
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => envName.test(entry[0]) && typeof entry[1] === 'string')),
  };
}

/** The command context plus what terminals share: one per extension, built in extension.ts. */
export type TerminalContext = CommandContext & {
  /** Defaults to readTerminalSettings(). */
  settings?: () => TerminalSettings;
  /** "auto" shells already resolved, per container and user: a container's image never changes. */
  shells?: Map<string, string>;
};

const terminalIcon = new vscode.ThemeIcon('vm');

function messageOf(err: unknown): string {
  if (err instanceof EngineError) return err.userMessage;
  return err instanceof Error ? err.message : String(err);
}

/**
 * One terminal on one interactive exec. Input and size changes that arrive while the shell
 * is still being looked up and started are kept and applied in order.
 */
export class WorkspacePseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly decoder = new StringDecoder('utf8');
  private session: InteractiveExecSession | undefined;
  /** The terminal.start record's session: its end is recorded with the exit code or what ended it. */
  private recorded: AuditSession | undefined;
  private pendingInput: string[] = [];
  private size = { rows: 24, cols: 80 };
  private closedByUser = false;
  /** After an abnormal end the last line stays readable; the next key closes with this code. */
  private endedWith: { code: number | undefined } | undefined;

  constructor(
    private readonly context: TerminalContext,
    readonly workspace: Workspace,
  ) {}

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    if (initialDimensions) this.size = { rows: initialDimensions.rows, cols: initialDimensions.columns };
    void this.start();
  }

  handleInput(data: string): void {
    if (this.endedWith) {
      this.closeEmitter.fire(this.endedWith.code);
      return;
    }
    if (this.session) this.session.write(data);
    else this.pendingInput.push(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.size = { rows: dimensions.rows, cols: dimensions.columns };
    this.session?.resize(dimensions.rows, dimensions.columns);
  }

  close(): void {
    this.closedByUser = true;
    void this.session?.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private async start(): Promise<void> {
    const settings = (this.context.settings ?? readTerminalSettings)();
    try {
      const scope = this.context.scopes.of(this.workspace);
      const engine = scope.engine;
      const connection = await engine.connection();
      const shell = await this.shellFor(connection, settings);
      if (this.closedByUser) return;
      // Recorded before the exec starts: a session that never gets going still leaves its start and why.
      this.recorded = scope.audit.session('terminal', auditWorkspace(this.workspace), { command: shell, ...(settings.user ? { user: settings.user } : {}) });
      // A devcontainer.json's remoteEnv and postAttachCommand; the user's own terminal env wins.
      const attach = attachOf(this.workspace.labels);
      const env = { ...attach.env, ...settings.env };
      const gone = await runAttachCommands({
        connection,
        containerId: this.workspace.containerId,
        commands: attach.commands,
        env,
        user: settings.user || undefined,
        size: () => this.size,
        write: (text) => this.writeEmitter.fire(text),
        onEvent: engine.onEvent,
        setSession: (session) => (this.session = session),
        closed: () => this.closedByUser,
      });
      if (gone || this.closedByUser) {
        this.recordEnd(undefined, gone);
        this.onSessionEnd(undefined, gone);
        return;
      }
      const session = openInteractiveExec(connection, this.workspace.containerId, {
        cmd: shell.split(/\s+/),
        user: settings.user || undefined,
        env,
        workingDir: '/workspace',
        ...this.size,
        onEvent: engine.onEvent,
      });
      this.session = session;
      session.onData((chunk) => this.writeEmitter.fire(this.decoder.write(chunk)));
      session.onExit((code, reason) => {
        this.recordEnd(code, reason);
        this.onSessionEnd(code, reason);
      });
      for (const input of this.pendingInput.splice(0)) session.write(input);
      this.context.log.info(`terminal ${this.workspace.name}: ${shell}${settings.user ? ` as ${settings.user}` : ''}`);
    } catch (err) {
      this.recorded?.end({ error: err });
      this.onSessionEnd(undefined, { kind: 'startFailed', message: messageOf(err) });
    }
  }

  /** The exit code; closing the terminal ends the shell as a cancel does; a stop, a removal or a lost engine as an error. */
  private recordEnd(code: number | undefined, reason?: SessionEndReason): void {
    const exitCode = code === undefined ? {} : { exitCode: code };
    if (!reason) this.recorded?.end(exitCode);
    else if (reason.kind === 'closed') this.recorded?.end({ ...exitCode, error: new CancelledError(reason.message) });
    else this.recorded?.end({ ...exitCode, error: describeSessionEnd(code, reason).replace(/^\[|\]$/g, '') });
  }

  private async shellFor(connection: EngineConnection, settings: TerminalSettings): Promise<string> {
    if (settings.shell !== 'auto') return settings.shell;
    const key = `${this.workspace.containerId}\0${settings.user}`;
    const known = this.context.shells?.get(key);
    if (known) return known;
    const shell = await resolveShell(connection, this.workspace.containerId, 'auto', settings.user || undefined);
    this.context.shells?.set(key, shell);
    return shell;
  }

  private onSessionEnd(code: number | undefined, reason?: SessionEndReason): void {
    if (this.closedByUser || reason?.kind === 'closed') return;
    const rest = this.decoder.end();
    if (rest) this.writeEmitter.fire(rest);
    // A plain `exit` closes the terminal like a local shell; anything else leaves its reason on screen.
    if (code === 0 && !reason) {
      this.closeEmitter.fire(0);
      return;
    }
    if (reason) this.context.log.warn(`terminal ${this.workspace.name}: ${describeSessionEnd(code, reason)}`);
    this.writeEmitter.fire(`\r\n\x1b[2m${describeSessionEnd(code, reason)}\x1b[0m\r\nPress any key to close the terminal.\r\n`);
    this.endedWith = { code };
  }
}

/** Opens and shows a terminal named after the workspace (one more session each call). */
export function createWorkspaceTerminal(context: TerminalContext, workspace: Workspace, name = workspace.name): vscode.Terminal {
  const terminal = vscode.window.createTerminal({ name, pty: new WorkspacePseudoterminal(context, workspace), iconPath: terminalIcon });
  terminal.show();
  return terminal;
}

const isRunning = (workspace: Workspace): boolean => workspace.state === 'running';
const caseInsensitivePaths = process.platform === 'win32' || process.platform === 'darwin';

function sameFolder(a: string, b: string): boolean {
  const [left, right] = [resolve(a), resolve(b)];
  return caseInsensitivePaths ? left.toLowerCase() === right.toLowerCase() : left === right;
}

/** Workspaces whose aicli.workspace.folder is an open folder; the active editor's folder first. */
export function workspacesOfOpenFolders(candidates: Workspace[]): Workspace[] {
  const activeUri = vscode.window.activeTextEditor?.document.uri;
  const active = activeUri ? vscode.workspace.getWorkspaceFolder(activeUri) : undefined;
  const folders = [...(active ? [active] : []), ...(vscode.workspace.workspaceFolders ?? []).filter((folder) => folder !== active)];
  for (const folder of folders) {
    const matches = candidates.filter((ws) => sameFolder(ws.folder, folder.uri.fsPath));
    if (matches.length) return matches;
  }
  return [];
}

/** The "AICLI Workspace" profile: a shell in the running workspace of the current folder, else the one picked. */
export class WorkspaceTerminalProfileProvider implements vscode.TerminalProfileProvider {
  constructor(private readonly context: TerminalContext) {}

  async provideTerminalProfile(token: vscode.CancellationToken): Promise<vscode.TerminalProfile | undefined> {
    await this.context.scopes.resync();
    const here = workspacesOfOpenFolders(this.context.scopes.workspaces().filter(isRunning));
    const [workspace] =
      here.length === 1
        ? here
        : await targetWorkspaces(this.context, undefined, undefined, {
            title: 'Open Terminal',
            canPickMany: false,
            accepts: (ws) => isRunning(ws) && (here.length === 0 || here.includes(ws)),
          });
    if (!workspace || token.isCancellationRequested) return undefined;
    return new vscode.TerminalProfile({ name: workspace.name, pty: new WorkspacePseudoterminal(this.context, workspace), iconPath: terminalIcon });
  }
}

/** The same terminal settings as uid 0: the workspace runs as the folder's owner, not root. */
function asRoot(context: TerminalContext): TerminalContext {
  const settings = context.settings ?? readTerminalSettings;
  return { ...context, settings: () => ({ ...settings(), user: '0' }) };
}

/**
 * `aicli.openTerminal` (tree row, or a pick from the palette): one more terminal each call.
 * `aicli.openRootTerminal` passes root: what root may do there depends on the level (README).
 */
export async function openTerminal(context: TerminalContext, clicked?: TreeNode, options: { root?: boolean } = {}): Promise<vscode.Terminal | undefined> {
  const doing = options.root ? 'Open Root Terminal' : 'Open Terminal';
  const [workspace] = await targetWorkspaces(context, clicked, undefined, { title: doing, canPickMany: false, accepts: isRunning });
  if (!workspace) return undefined;
  if (!isRunning(workspace)) {
    await showFailure(new InputError('workspace', `${workspace.name} is ${workspace.state}; start it to open a terminal in it.`), {
      engine: context.scopes.of(workspace).engine,
      log: context.log,
      doing,
    });
    return undefined;
  }
  return options.root ? createWorkspaceTerminal(asRoot(context), workspace, `${workspace.name} (root)`) : createWorkspaceTerminal(context, workspace);
}
