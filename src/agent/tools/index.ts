import { AgentPolicy } from '../policy';
import { AgentTool } from '../tool';
import { workspaceAlerts } from './alerts';
import { workspaceCreate } from './create';
import { workspaceExec } from './exec';
import { workspaceListFiles, workspaceReadFile, workspaceWriteFile } from './files';
import { workspaceStart, workspaceRemove, workspaceStop } from './lifecycle';
import { workspaceList } from './list';
import { workspaceLogs } from './logs';
import { workspaceApply, workspaceChanges, workspaceDiff } from './review';

/** Every tool an agent may be offered, in the order they are listed. */
export const allAgentTools: readonly AgentTool[] = [
  workspaceList,
  workspaceCreate,
  workspaceExec,
  workspaceReadFile,
  workspaceWriteFile,
  workspaceListFiles,
  workspaceLogs,
  workspaceChanges,
  workspaceDiff,
  workspaceApply,
  workspaceAlerts,
  workspaceStart,
  workspaceStop,
  workspaceRemove,
];

/** The tools this policy offers: apply only when the person allowed it. */
export function agentTools(policy: Pick<AgentPolicy, 'allowApply'>): AgentTool[] {
  return allAgentTools.filter((tool) => tool !== workspaceApply || policy.allowApply);
}
