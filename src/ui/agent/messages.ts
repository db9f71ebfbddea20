// What VS Code shows before a tool call runs: the invocation message (what runs where) and, when the
// open folder has no workspace yet, the confirmation that creates one. Plain strings, no vscode import.
import type { FolderTool, ToolInput } from './folderTools';

/** Where a call will run, as prepareInvocation found it. */
export interface CallTarget {
  folder: string;
  /** The level a new workspace gets (aicli.isolation.level). */
  level: string;
  /** aicli.workspace.projectMount: how a new box sees the folder. */
  mount: string;
  /** The folder's workspace; undefined: there is none, the call creates it first. */
  workspace?: { name: string; level: string; state: string };
}

const stopped = (state: string): boolean => state === 'exited' || state === 'created';

/** "Running `npm test` in workspace foo (standard)". */
export function invocationMessage(tool: FolderTool, input: ToolInput, target: CallTarget): string {
  const doing = tool.doing(input);
  const { workspace } = target;
  if (!workspace) return `${doing} in a new workspace for ${target.folder} (${target.level})`;
  const starting = tool.needsRunning && stopped(workspace.state) ? ', after starting it' : '';
  return `${doing} in workspace ${workspace.name} (${workspace.level})${starting}`;
}

function mountSentence(mount: string): string {
  if (mount === 'bind') return 'The box writes to the folder itself (aicli.workspace.projectMount is "bind").';
  return 'The box works on its own view of the folder: nothing reaches your files until you review and apply the changes.';
}

/** Only when the call would create the folder's workspace: the person says yes to the folder and the level. */
export function createConfirmation(tool: FolderTool, input: ToolInput, target: CallTarget): { title: string; message: string } | undefined {
  if (target.workspace) return undefined;
  const first = tool.doing(input);
  return {
    title: `Create an AICLI workspace for ${target.folder} at level ${target.level}?`,
    message:
      `An agent's call of ${tool.name} needs this folder's workspace, and there is none yet. ` +
      'Confirming creates it: an isolated container with your AICLI settings (image, limits, egress). ' +
      `${mountSentence(target.mount)} Then, in that workspace: ${first.charAt(0).toLowerCase()}${first.slice(1)}.`,
  };
}
