import { z } from 'zod';
import { InputError } from '../../engine/errors';
import { inReview } from '../../workspace/review/service';
import { Lifecycle } from '../../workspace/service';
import { AgentTool, defineTool, findWorkspace, plural, workspaceArgument } from '../tool';

function lifecycleTool(action: Extract<Lifecycle, 'start' | 'stop'>, description: string): AgentTool {
  return defineTool({
    name: `workspace_${action}`,
    title: `${action === 'start' ? 'Start' : 'Stop'} a workspace`,
    description,
    input: z.strictObject({ workspace: workspaceArgument }),
    readOnly: false,
    destructive: action === 'stop',
    async run(host, args) {
      const found = await findWorkspace(host, args.workspace);
      const workspace = await host.scope.service.lifecycle(found.containerId, action);
      return {
        text: `Workspace ${workspace.name} is ${workspace.state}.`,
        data: { name: workspace.name, state: workspace.state },
        workspace: workspace.name,
        summary: workspace.state,
      };
    },
  });
}

export const workspaceStart = lifecycleTool('start', 'Starts a stopped workspace (its files and changes are kept).');
export const workspaceStop = lifecycleTool('stop', 'Stops a workspace: every process in it ends; its files and unapplied changes are kept.');

export const workspaceRemove = defineTool({
  name: 'workspace_remove',
  title: 'Remove a workspace',
  description:
    'Removes a workspace (container, network, its view of the project); the folder is kept. Refused while the workspace has unapplied changes: a person reviews or discards them.',
  input: z.strictObject({ workspace: workspaceArgument }),
  readOnly: false,
  destructive: true,
  async run(host, args) {
    const workspace = await findWorkspace(host, args.workspace);
    const unapplied = inReview(workspace) ? (await host.scope.changes.list(workspace)).length : 0;
    if (unapplied > 0) {
      throw new InputError(
        'workspace',
        `${workspace.name} has ${plural(unapplied, 'unapplied change')}: an agent cannot remove it. A person reviews them (the Changes view, or aicli-ws diff ${workspace.name}) and applies or discards them first.`,
      );
    }
    await host.scope.service.remove(workspace.containerId);
    return {
      text: `Removed ${workspace.name} (its folder is kept).`,
      data: { name: workspace.name, removed: true },
      workspace: workspace.name,
      summary: 'removed',
    };
  },
});
