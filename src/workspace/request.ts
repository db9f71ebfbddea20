import { IsolationLevel } from '../isolation/levels';
import { PortPolicy } from '../isolation/ports';
import { ResourceInput } from '../isolation/resources';

/** What a user asks for; every field is validated before anything is created. */
export interface CreateWorkspaceRequest {
  folder: string;
  name?: string;
  image?: string;
  level?: IsolationLevel | string;
  resources?: ResourceInput;
  /** "HOST:CONTAINER", "IP:HOST:CONTAINER" or "PORT", optionally "/udp". */
  publish?: string[];
  /** `auto`, `none`, `allowlist` or `open` (see isolation/egress.ts); the policy's when absent. */
  egress?: string;
  /** Added to the policy's allowed hosts for this workspace (CLI --allow). */
  allow?: string[];
  /** `auto`, `review`, `copy` or `bind` (see isolation/projectMount.ts); the policy's when absent. */
  mount?: string;
  /** `auto`, `runc` or `runsc` (see isolation/runtime.ts); the policy's when absent. */
  runtime?: string;
  /** The box's environment (a devcontainer.json's containerEnv); WORKSPACE_ID and WORKSPACE_NAME are always ours. */
  env?: Record<string, string>;
  /** What each terminal gets when it attaches (a devcontainer.json's remoteEnv and postAttachCommand). */
  attach?: WorkspaceAttach;
}

export interface WorkspaceAttach {
  /** Added to a terminal's environment (aicli.terminal.env wins). */
  env: Record<string, string>;
  /** Run in the terminal, one after another, before its shell starts. */
  commands: string[][];
}

/** Defaults and policies from settings (aicli.*), applied to every create. */
export interface WorkspacePolicy {
  defaultImage: string;
  defaultLevel: IsolationLevel;
  resources: ResourceInput;
  ports: PortPolicy;
  mountEngineSocket: boolean;
  /** aicli.network.egress: `auto` picks by level. */
  egress?: string;
  /** aicli.network.allowedHosts: names, *.domain wildcards, IPv4 CIDRs. */
  allowedHosts?: string[];
  home: string;
  /** aicli.workspace.projectMount: `auto` is review on a local engine, copy on a remote one. */
  projectMount?: string;
  /** aicli.isolation.runtime: `auto` runs `sandboxed` on gVisor and the other levels on the engine's default. */
  runtime?: string;
  /** aicli.isolation.requireUserNamespace: strict and sandboxed only on a remapped or rootless engine. */
  requireUserNamespace?: boolean;
  /** aicli.workspace.protectedPaths, relative to the folder; undefined: defaultProtectedPaths. */
  protectedPaths?: string[];
  /** Extra labels on everything a create makes (tests tag their runs with these). */
  labels?: Record<string, string>;
}

export type CreateStep = 'validating' | 'gateway' | 'network' | 'container' | 'copying' | 'starting' | 'health' | 'rollback';
