import { z } from 'zod';
import { defineTool, findWorkspace, plural, workspaceArgument } from '../tool';

export const workspaceAlerts = defineTool({
  name: 'workspace_alerts',
  title: "A workspace's security alerts",
  description:
    "The security monitor's current alerts for the workspace (resource breaches, blocked egress, protected paths touched, suspicious processes), each with its policy item.",
  input: z.strictObject({ workspace: workspaceArgument }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const workspace = await findWorkspace(host, args.workspace);
    const alerts = await host.alerts(workspace);
    const lines = alerts.map((alert) => `${alert.severity.padEnd(8)} ${alert.type}  ${alert.message}  [${alert.policyItem}]`);
    return {
      text: lines.length ? lines.join('\n') : `No alerts for ${workspace.name}.`,
      data: { alerts },
      workspace: workspace.name,
      summary: plural(alerts.length, 'alert'),
    };
  },
});
