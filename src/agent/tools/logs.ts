import { z } from 'zod';
import { containerLogTail } from '../../engine/containers';
import { truncationNote } from './exec';
import { defineTool, findWorkspace, workspaceArgument } from '../tool';

export const workspaceLogs = defineTool({
  name: 'workspace_logs',
  title: "Read a workspace's log",
  description: "The last lines of the workspace's own output (its main process: the image's command), not of workspace_exec commands.",
  input: z.strictObject({
    workspace: workspaceArgument,
    lines: z.number().int().min(1).max(5000).optional().describe('How many of the last lines (default 100).'),
  }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const workspace = await findWorkspace(host, args.workspace);
    // Workspaces have a TTY: the log is the raw terminal output, no stream frames.
    const raw = await containerLogTail(await host.scope.connection(), workspace.containerId, args.lines ?? 100);
    const cap = host.policy.outputCapBytes;
    const text = raw.subarray(Math.max(0, raw.length - cap)).toString('utf8');
    const dropped = Math.max(0, raw.length - cap);
    return {
      text: `${text || '(the log is empty)'}${truncationNote(dropped, 'the log (oldest lines)', cap)}`,
      data: { log: text, truncated: dropped > 0 },
      workspace: workspace.name,
      summary: `${raw.length} bytes of log`,
    };
  },
});
