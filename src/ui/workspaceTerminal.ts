import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { EngineConnection } from '../engine/connection';
import { Engine } from '../engine/engine';
import { EngineError } from '../engine/errors';
import { describeSessionEnd, InteractiveExecSession, openInteractiveExec, resolveShell, SessionEndReason } from '../engine/interactiveExec';
import { Workspace } from '../workspace/model';
import { WorkspaceService } from '../workspace/service';
import { pickRunningWorkspace, workspaceFromArgument } from './pickWorkspace';

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
  const config = vscode.workspace.getConfiguration('aicli.terminal');
  const env = config.get<Record<string, unknown>>('env') ?? {};
  return {
    shell: config.get<string>('shell', 'auto').trim() || 'auto',
    user: config.get<string>('user', '').trim(),
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => envName.test(entry[0]) && typeof entry[1] === 'string')),
  };
}

export interface WorkspaceTerminalDeps {
  engine: Engine;
  service: WorkspaceService;
  settings?: () => TerminalSettings;
  log?: vscode.LogOutputChannel;
  /** "auto" shells already resolved, per container and user: a container's image never changes. */
  shells?: Map<string, string>;
}

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
  private pendingInput: string[] = [];
  private size = { rows: 24, cols: 80 };
  private closedByUser = false;
  /** After an abnormal end the last line stays readable; the next key closes with this code. */
  private endedWith: { code: number | undefined } | undefined;

  constructor(
    private readonly deps: WorkspaceTerminalDeps,
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
    const settings = (this.deps.settings ?? readTerminalSettings)();
    try {
      const connection = await this.deps.engine.connection();
      const shell = await this.shellFor(connection, settings);
      if (this.closedByUser) return;
      const session = openInteractiveExec(connection, this.workspace.containerId, {
        cmd: shell.split(/\s+/),
        user: settings.user || undefined,
        env: settings.env,
        workingDir: '/workspace',
        ...this.size,
        onEvent: this.deps.engine.onEvent,
      });
      this.session = session;
      session.onData((chunk) => this.writeEmitter.fire(this.decoder.write(chunk)));
      session.onExit((code, reason) => this.onSessionEnd(code, reason));
      for (const input of this.pendingInput.splice(0)) session.write(input);
      this.deps.log?.info(`terminal ${this.workspace.name}: ${shell}${settings.user ? ` as ${settings.user}` : ''}`);
    } catch (err) {
      this.onSessionEnd(undefined, { kind: 'startFailed', message: messageOf(err) });
    }
  }

  private async shellFor(connection: EngineConnection, settings: TerminalSettings): Promise<string> {
    if (settings.shell !== 'auto') return settings.shell;
    const key = `${this.workspace.containerId}\0${settings.user}`;
    const known = this.deps.shells?.get(key);
    if (known) return known;
    const shell = await resolveShell(connection, this.workspace.containerId, 'auto', settings.user || undefined);
    this.deps.shells?.set(key, shell);
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
    if (reason) this.deps.log?.warn(`terminal ${this.workspace.name}: ${describeSessionEnd(code, reason)}`);
    this.writeEmitter.fire(`\r\n\x1b[2m${describeSessionEnd(code, reason)}\x1b[0m\r\nPress any key to close the terminal.\r\n`);
    this.endedWith = { code };
  }
}

/** Opens and shows a terminal named after the workspace (one more session each call). */
export function createWorkspaceTerminal(deps: WorkspaceTerminalDeps, workspace: Workspace): vscode.Terminal {
  const terminal = vscode.window.createTerminal({ name: workspace.name, pty: new WorkspacePseudoterminal(deps, workspace), iconPath: terminalIcon });
  terminal.show();
  return terminal;
}

/** The "AICLI Workspace" profile: a shell in the workspace of the current folder, or the one picked. */
export class WorkspaceTerminalProfileProvider implements vscode.TerminalProfileProvider {
  constructor(private readonly deps: WorkspaceTerminalDeps) {}

  async provideTerminalProfile(token: vscode.CancellationToken): Promise<vscode.TerminalProfile | undefined> {
    const workspace = await pickRunningWorkspace(this.deps.service, 'Open a terminal in which workspace?', token);
    if (!workspace || token.isCancellationRequested) return undefined;
    return new vscode.TerminalProfile({ name: workspace.name, pty: new WorkspacePseudoterminal(this.deps, workspace), iconPath: terminalIcon });
  }
}

/** `aicli.openTerminal`: from a tree item (or a Workspace, or a name), else the current folder's or a picked one. */
export async function openTerminalCommand(deps: WorkspaceTerminalDeps, argument?: unknown): Promise<vscode.Terminal | undefined> {
  try {
    const workspace = (await workspaceFromArgument(deps.service, argument)) ?? (await pickRunningWorkspace(deps.service, 'Open a terminal in which workspace?'));
    return workspace ? createWorkspaceTerminal(deps, workspace) : undefined;
  } catch (err) {
    void vscode.window.showErrorMessage(messageOf(err));
    return undefined;
  }
}
