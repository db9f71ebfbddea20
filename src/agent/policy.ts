import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve, sep } from 'node:path';
import { InputError } from '../engine/errors';
import { IsolationLevel, isolationLevels } from '../isolation/levels';
import { ResourceInput } from '../isolation/resources';
import { checkLevel, Workspace } from '../workspace/model';

/**
 * What the person who started an agent front end (aicli-ws mcp, or VS Code's settings) allows
 * the agent. The agent names a folder and may ask for a stricter level; everything that could
 * weaken the box (mounts, ports, egress entries, the engine socket, a weaker level) is the
 * person's choice and never a tool argument.
 */
export interface AgentPolicy {
  /** The level of a workspace the agent creates; the agent may ask for a stricter one only. */
  level: IsolationLevel;
  /** Limits, egress mode and hosts, mount mode: as the person set them (flags or settings). */
  create: {
    image?: string;
    resources?: ResourceInput;
    egress?: string;
    allow?: string[];
    mount?: string;
  };
  /** Applying a workspace's changes to the folder stays a person's action unless this is set. */
  allowApply: boolean;
  /** Bytes of stdout (and of stderr) kept per exec, and of a file read. */
  outputCapBytes: number;
  /** An exec's timeout when the agent names none, and the longest it may name. */
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** Where a workspace_create without a folder points (the server's working directory). */
  defaultFolder: string;
  /**
   * The folders (and what is below them) an agent may make or use workspaces for: the person
   * names them (--folder-root; VS Code: the open folders), the server's working directory by
   * default. An agent never picks an arbitrary host folder (~/.ssh) to read in a box.
   */
  folderRoots: string[];
}

export const defaultAgentLimits = { outputCapBytes: 64 * 1024, defaultTimeoutSeconds: 60, maxTimeoutSeconds: 600 } as const;

const rank = (level: IsolationLevel): number => isolationLevels.indexOf(level);

/** The level a create runs at: the policy's, or a stricter one the agent asked for; a weaker one is refused. */
export function agentLevel(policy: AgentPolicy, asked: string | undefined): IsolationLevel {
  if (asked === undefined) return policy.level;
  const level = checkLevel(asked);
  if (rank(level) < rank(policy.level)) {
    const stricter = isolationLevels.filter((candidate) => rank(candidate) >= rank(policy.level));
    const allowed = stricter.length > 1 ? `${stricter.slice(0, -1).join(', ')} or ${stricter[stricter.length - 1]}` : stricter.join('');
    throw new InputError(
      'level',
      `Level "${level}" is weaker than this server's policy ("${policy.level}"): an agent may ask for ${allowed} only. Leave level out to use "${policy.level}".`,
    );
  }
  return level;
}

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};
const under = (path: string, root: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The folder an agent named, checked against the person's folder roots (after links are
 * followed). A root that is / or the home folder itself is no root: a server started there
 * (a desktop client's default) must be told the project with --folder-root.
 */
export function agentFolder(policy: AgentPolicy, folder: string): string {
  const roots = policy.folderRoots.map(real);
  const tooWide = roots.find((root) => root === sep || root === real(homedir()));
  if (tooWide) {
    throw new InputError(
      'folder',
      `This server's folder root is ${tooWide}, which is not a project folder: the person starts it with --folder-root PROJECT (or in the project folder) to say which folders agents may use.`,
    );
  }
  const path = real(resolve(policy.defaultFolder, folder));
  if (!roots.some((root) => under(path, root))) {
    throw new InputError(
      'folder',
      `${path} is outside the folders this server lets agents use (${roots.join(', ')}); ask the person to start it with --folder-root for another folder.`,
    );
  }
  return path;
}

/** Agents use only workspaces of their folder roots at the server's level or stricter (not a person's basic box elsewhere). */
export function agentMayUse(policy: AgentPolicy, workspace: Pick<Workspace, 'level' | 'folder'>): string | undefined {
  if (rank(workspace.level) < rank(policy.level)) return `it runs at level ${workspace.level}, weaker than this server's policy (${policy.level})`;
  if (!policy.folderRoots.map(real).some((root) => under(real(workspace.folder), root)))
    return `its folder ${workspace.folder} is outside this server's folder roots`;
  return undefined;
}
