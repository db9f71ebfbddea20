import { createHash, randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { IsolationLevel, isolationLevels } from '../isolation/levels';
import { InputError } from '../engine/errors';
import { managedLabel } from '../engine/filters';

/** Labels shared with the aicli Go tools, so each sees the other's workspaces. */
export const labels = {
  managed: managedLabel,
  id: 'aicli.workspace.id',
  name: 'aicli.workspace.name',
  level: 'aicli.workspace.level',
  folder: 'aicli.workspace.folder',
  /** The egress mode its gateway enforces. */
  egress: 'aicli.workspace.egress',
  /** Its published ports as JSON: the engine publishes them on the gateway, not the box. */
  ports: 'aicli.workspace.ports',
  /** How the box sees the folder: review (its own copy-on-write view), copy or bind. */
  mount: 'aicli.workspace.mount',
  /** The OCI runtime it was made with, when not the engine's default (runsc: gVisor). */
  runtime: 'aicli.workspace.runtime',
  /** What a terminal gets when it attaches, as JSON (see WorkspaceAttach). */
  attach: 'aicli.workspace.attach',
  /** On the egress gateway's image: its version (an image of ours, not one to run a workspace on). */
  gatewayImage: 'aicli.gateway.image',
} as const;

/** The workspace marked with the engine it runs on; the default engine's stay unmarked. */
export function onEngine(workspace: Workspace | undefined, engineName: string | undefined): Workspace | undefined {
  return workspace && engineName ? { ...workspace, engine: engineName } : workspace;
}

export const containerNameFor = (id: string): string => `workspace_${id}`;
export const networkNameFor = (id: string): string => `aicli-workspace-${id}`;

export type WorkspaceState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface Workspace {
  id: string;
  name: string;
  level: IsolationLevel;
  folder: string;
  image: string;
  containerId: string;
  containerName: string;
  network: string;
  state: WorkspaceState;
  /** The engine's words, e.g. "Up 3 minutes (healthy)" or "Exited (137) 2 seconds ago". */
  status: string;
  createdAt: Date;
  ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[];
  labels: Record<string, string>;
  /** The engine it runs on, by its aicli.engines name; undefined: the default engine. */
  engine?: string;
}

/** Short and stable per folder (first half) with a random part (second half). */
export function newWorkspaceId(folder: string): string {
  return createHash('sha256').update(folder).digest('hex').slice(0, 4) + randomBytes(3).toString('hex');
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export function defaultWorkspaceName(folder: string): string {
  const cleaned = basename(folder)
    .replace(/[^a-zA-Z0-9_.-]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+/, '');
  return cleaned.slice(0, 63) || 'workspace';
}

export function checkWorkspaceName(name: string): string {
  const trimmed = name.trim();
  if (!namePattern.test(trimmed)) {
    throw new InputError('name', `Workspace name "${name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 63).`);
  }
  return trimmed;
}

export function checkLevel(level: string): IsolationLevel {
  if ((isolationLevels as string[]).includes(level)) return level as IsolationLevel;
  throw new InputError('level', `Isolation level "${level}" is not one of ${isolationLevels.join(', ')}.`);
}

interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Created: number;
  Labels: Record<string, string>;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
}

/** From our label (ports live on the gateway); rows of older workspaces carry them themselves. */
function publishedPorts(summary: ContainerSummary): Workspace['ports'] {
  const recorded = summary.Labels?.[labels.ports];
  if (recorded !== undefined) {
    try {
      const parsed = JSON.parse(recorded) as Workspace['ports'];
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // A label someone else wrote: fall back to what the engine says.
    }
  }
  return (summary.Ports ?? [])
    .filter((port) => port.PublicPort)
    .map((port) => ({ hostIp: port.IP ?? '', hostPort: port.PublicPort as number, containerPort: port.PrivatePort, protocol: port.Type }));
}

/** A workspace from a `GET /containers/json` row; undefined for containers we don't manage. */
export function workspaceFromSummary(summary: ContainerSummary): Workspace | undefined {
  const l = summary.Labels ?? {};
  const id = l[labels.id];
  if (l[labels.managed] !== 'true' || !id) return undefined;
  return {
    id,
    name: l[labels.name] ?? id,
    level: (isolationLevels as string[]).includes(l[labels.level] ?? '') ? (l[labels.level] as IsolationLevel) : 'standard',
    folder: l[labels.folder] ?? '',
    image: summary.Image,
    containerId: summary.Id,
    containerName: (summary.Names[0] ?? '').replace(/^\//, ''),
    network: networkNameFor(id),
    state: summary.State as WorkspaceState,
    status: summary.Status,
    createdAt: new Date(summary.Created * 1000),
    ports: publishedPorts(summary),
    labels: l,
  };
}
