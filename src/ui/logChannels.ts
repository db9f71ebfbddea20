import * as vscode from 'vscode';
import { listContainers } from '../engine/containers';
import { Engine } from '../engine/engine';
import { LogLine } from '../engine/logLines';
import { LogFollower } from '../engine/logs';
import { labels, Workspace } from '../workspace/model';

/** Appends are batched: a chatty container must not flood the UI thread. */
const flushEveryMs = 50;

interface FollowedWorkspace {
  channel: vscode.OutputChannel;
  followers: LogFollower[];
  pending: string[];
  timer: NodeJS.Timeout | undefined;
  /** Lines appended so far (the log bench reads it). */
  appended: number;
}

export interface LogSettings {
  tail: number;
  timestamps: boolean;
}

/**
 * One output channel per workspace ("AICLI Logs: <name>"), created on first use, following
 * every container of the workspace (prefixed by container name when there are several).
 * Disposing a channel's entry stops its engine streams.
 */
export class LogChannels implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedWorkspace>();

  constructor(
    /** The engine a workspace runs on (several engines). */
    private readonly engineOf: (workspace: Workspace) => Engine,
    private readonly settings: () => LogSettings,
  ) {}

  async show(workspace: Workspace): Promise<vscode.OutputChannel> {
    const existing = this.followed.get(workspace.id);
    if (existing) {
      existing.channel.show(true);
      return existing.channel;
    }
    const channel = vscode.window.createOutputChannel(`AICLI Logs: ${workspace.name}`);
    const entry: FollowedWorkspace = { channel, followers: [], pending: [], timer: undefined, appended: 0 };
    this.followed.set(workspace.id, entry);
    const engine = this.engineOf(workspace);
    const connection = await engine.connection();
    const containers = await listContainers(connection, { kind: 'any', labels: { [labels.id]: workspace.id } }, 'list workspace containers');
    const { tail, timestamps } = this.settings();
    for (const container of containers) {
      const prefix = containers.length > 1 ? `[${(container.Names[0] ?? container.Id).replace(/^\//, '')}] ` : '';
      const follower = new LogFollower(engine, container.Id, {
        tail,
        onLines: (lines) =>
          this.queue(
            entry,
            lines.map((line) => format(line, prefix, timestamps)),
          ),
        onEnd: (reason) => {
          if (reason !== 'stopped following') this.queue(entry, [`${prefix}── ${reason}; no more logs ──`]);
        },
      });
      entry.followers.push(follower);
      follower.start();
    }
    channel.show(true);
    return channel;
  }

  /** Lines of ours (a devcontainer.json's lifecycle commands) in the workspace's channel, shown. */
  async appendLines(workspace: Workspace, lines: string[]): Promise<void> {
    const entry = this.followed.get(workspace.id);
    if (!entry) await this.show(workspace);
    else entry.channel.show(true);
    const followed = this.followed.get(workspace.id);
    if (followed && lines.length) this.queue(followed, lines);
  }

  /** Stops following a workspace and drops its channel. */
  close(workspaceId: string): void {
    const entry = this.followed.get(workspaceId);
    if (!entry) return;
    this.followed.delete(workspaceId);
    entry.followers.forEach((follower) => follower.dispose());
    clearTimeout(entry.timer);
    entry.channel.dispose();
  }

  isFollowing(workspaceId: string): boolean {
    return this.followed.has(workspaceId);
  }

  appendedLines(workspaceId: string): number {
    return this.followed.get(workspaceId)?.appended ?? 0;
  }

  dispose(): void {
    [...this.followed.keys()].forEach((id) => this.close(id));
  }

  private queue(entry: FollowedWorkspace, lines: string[]): void {
    entry.pending.push(...lines);
    entry.timer ??= setTimeout(() => {
      entry.timer = undefined;
      const text = entry.pending.join('\n');
      entry.appended += entry.pending.length;
      entry.pending = [];
      entry.channel.append(`${text}\n`);
    }, flushEveryMs);
  }
}

/** Output channels show text, not a terminal: drop escape sequences (colours, cursor queries). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ansiEscapes = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

function format(line: LogLine, prefix: string, timestamps: boolean): string {
  const time = timestamps ? `${line.timestamp} ` : '';
  const marker = line.stream === 'stderr' ? '[stderr] ' : '';
  return `${prefix}${time}${marker}${line.text.replace(ansiEscapes, '')}`;
}
