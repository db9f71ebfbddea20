import { InputError } from '../engine/errors';
import { IsolationLevel, isolationLevels } from '../isolation/levels';
import { ResourceInput } from '../isolation/resources';
import { checkLevel } from '../workspace/model';

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
}

export const defaultAgentLimits = { outputCapBytes: 64 * 1024, defaultTimeoutSeconds: 60, maxTimeoutSeconds: 600 } as const;

const rank = (level: IsolationLevel): number => isolationLevels.indexOf(level);

/** The level a create runs at: the policy's, or a stricter one the agent asked for; a weaker one is refused. */
export function agentLevel(policy: AgentPolicy, asked: string | undefined): IsolationLevel {
  if (asked === undefined) return policy.level;
  const level = checkLevel(asked);
  if (rank(level) < rank(policy.level)) {
    const allowed = isolationLevels.filter((candidate) => rank(candidate) >= rank(policy.level)).join(' or ');
    throw new InputError(
      'level',
      `Level "${level}" is weaker than this server's policy ("${policy.level}"): an agent may ask for ${allowed} only. Leave level out to use "${policy.level}".`,
    );
  }
  return level;
}
