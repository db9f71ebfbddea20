import { z } from 'zod';
import { CancelledError } from '../../engine/errors';
import { labels } from '../../workspace/model';
import { CreateStep } from '../../workspace/request';
import { agentFolder, agentLevel } from '../policy';
import { defineTool } from '../tool';

const stepMessages: Record<CreateStep, string> = {
  validating: 'Checking the folder, image and limits',
  gateway: 'Starting the egress gateway',
  network: 'Creating the workspace network',
  container: 'Creating the container',
  copying: 'Copying the project into the workspace',
  starting: 'Starting the workspace',
  health: "Waiting for the image's health check",
  rollback: 'Undoing a failed create',
};

/** What only the person may set: named in the refusal so the agent knows not to retry. */
const personOnly = ['publish', 'ports', 'mount', 'mounts', 'egress', 'allow', 'allowedHosts', 'engineSocket', 'resources', 'cpus', 'memory', 'pids'];

const input = z.strictObject(
  {
    folder: z
      .string()
      .min(1)
      .optional()
      .describe("The project folder on the engine's host (absolute, or relative to where the server started); default: that folder."),
    name: z.string().min(1).optional().describe('Workspace name (letters, digits, . _ -); default: from the folder name.'),
    level: z
      .enum(['basic', 'standard', 'strict', 'sandboxed'])
      .optional()
      .describe("Isolation level; only the server's level or a stricter one is accepted (default: the server's)."),
    image: z.string().min(1).optional().describe("An image already on the engine; default: the server's image."),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')}: ${issue.keys.some((key) => personOnly.includes(key)) ? 'limits, ports, mounts, egress and the engine socket are set by the person who started the server, never by an agent' : 'not an argument of workspace_create (folder, name, level, image)'}.`
        : undefined,
  },
);

export const workspaceCreate = defineTool({
  name: 'workspace_create',
  title: 'Create a workspace',
  description:
    "Creates an isolated workspace (a resource-limited container) for a project folder and starts it. The folder appears at /workspace; by default the box works on a review view, so nothing reaches the folder until a person applies it. Level, limits, egress and mount mode come from the server's policy; the agent may only ask for a stricter level.",
  input,
  readOnly: false,
  destructive: false,
  async run(host, args, call) {
    const level = agentLevel(host.policy, args.level);
    const request = {
      ...host.policy.create,
      folder: agentFolder(host.policy, args.folder ?? '.'),
      name: args.name,
      level,
      image: args.image ?? host.policy.create.image,
    };
    const { workspace, warnings, notes } = await host.scope.service.create(request, (step) => call.progress(stepMessages[step]));
    if (call.signal.aborted) {
      // Cancelled while the engine was creating it: leave nothing behind.
      await host.scope.service.remove(workspace.containerId);
      throw new CancelledError(`Cancelled: workspace ${workspace.name} was removed again.`);
    }
    const mount = workspace.labels[labels.mount] ?? 'bind';
    const lines = [
      `Created workspace ${workspace.name} (${workspace.state}, level ${workspace.level}, mount ${mount}) for ${workspace.folder} at /workspace.`,
      ...warnings.map((warning) => `Warning: ${warning}`),
      ...notes.map((note) => `Note: ${note}`),
    ];
    return {
      text: lines.join('\n'),
      data: { name: workspace.name, id: workspace.id, state: workspace.state, level: workspace.level, folder: workspace.folder, mount, warnings, notes },
      workspace: workspace.name,
      summary: `created (${workspace.level}, ${mount})`,
    };
  },
});
