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
}

/** Defaults and policies from settings (aicli.*), applied to every create. */
export interface WorkspacePolicy {
  defaultImage: string;
  defaultLevel: IsolationLevel;
  resources: ResourceInput;
  ports: PortPolicy;
  mountEngineSocket: boolean;
  home: string;
  /** Extra labels on everything a create makes (tests tag their runs with these). */
  labels?: Record<string, string>;
}

export type CreateStep = 'validating' | 'network' | 'container' | 'copying' | 'starting' | 'health' | 'rollback';
