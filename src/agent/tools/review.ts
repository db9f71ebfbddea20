import { z } from 'zod';
import { InputError } from '../../engine/errors';
import { Change } from '../../workspace/review/changes';
import { truncationNote } from './exec';
import { AgentHost, defineTool, findWorkspace, plural, workspaceArgument } from '../tool';

const changeRow = (change: Change): Record<string, unknown> => ({
  path: change.path,
  kind: change.kind,
  protected: change.protected,
  conflict: change.conflict,
  binary: change.binary,
});

function changeLine(change: Change): string {
  const marks = [
    change.protected ? 'protected: a person applies it by name' : '',
    change.conflict ? 'conflict: the folder changed too' : '',
    change.binary ? 'binary' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${change.kind.padEnd(10)} ${change.path}${marks ? `  (${marks})` : ''}`;
}

export const workspaceChanges = defineTool({
  name: 'workspace_changes',
  title: "List a workspace's changes",
  description:
    'Lists what the box changed against the project folder (review mode): added, modified, deleted, mode and type changes, with protected paths and conflicts marked. Nothing reaches the folder until a person applies it.',
  input: z.strictObject({ workspace: workspaceArgument }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const workspace = await findWorkspace(host, args.workspace);
    const changes = await host.scope.changes.list(workspace);
    return {
      text: changes.length ? changes.map(changeLine).join('\n') : `No changes: the box's /workspace matches ${workspace.folder}.`,
      data: { changes: changes.map(changeRow) },
      workspace: workspace.name,
      summary: plural(changes.length, 'change'),
    };
  },
});

export const workspaceDiff = defineTool({
  name: 'workspace_diff',
  title: "Show a workspace's diff",
  description: "A git-style unified diff of the box's changes against the folder (review mode), of all changes or of the paths named.",
  input: z.strictObject({
    workspace: workspaceArgument,
    paths: z.array(z.string()).optional().describe('Paths relative to the project (default: every change).'),
  }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const workspace = await findWorkspace(host, args.workspace);
    const { changes, lines } = await host.scope.changes.diff(workspace, args.paths ?? []);
    const whole = lines.join('\n');
    const cap = host.policy.outputCapBytes;
    const bytes = Buffer.from(whole, 'utf8');
    const shown = bytes.subarray(0, cap).toString('utf8');
    return {
      text: whole ? `${shown}${truncationNote(Math.max(0, bytes.length - cap), 'the diff', cap)}` : 'No changes to show.',
      data: { changes: changes.map(changeRow), diff: shown, truncated: bytes.length > cap },
      workspace: workspace.name,
      summary: `diff of ${plural(changes.length, 'change')}`,
    };
  },
});

async function apply(host: AgentHost, reference: string, paths: string[] | undefined): Promise<Change[]> {
  if (!host.policy.allowApply) {
    throw new InputError(
      'apply',
      "Applying changes to the folder is a person's action here (the server was not started with --allow-apply); ask them to review and apply.",
    );
  }
  const workspace = await findWorkspace(host, reference);
  return host.scope.changes.apply(workspace, paths?.length ? paths : 'all');
}

/** Only offered when the server was started with --allow-apply; protected paths and conflicts still need a person. */
export const workspaceApply = defineTool({
  name: 'workspace_apply',
  title: "Apply a workspace's changes to the folder",
  description:
    "Applies the named changes (default: all but protected paths and conflicts) from the box to the project folder, as the folder's owner. Protected paths and conflicts are refused: a person applies those.",
  input: z.strictObject({ workspace: workspaceArgument, paths: z.array(z.string()).optional().describe('Paths relative to the project (default: all).') }),
  readOnly: false,
  destructive: true,
  async run(host, args) {
    const applied = await apply(host, args.workspace, args.paths);
    return {
      text: applied.length ? `Applied ${plural(applied.length, 'change')}:\n${applied.map(changeLine).join('\n')}` : 'Nothing to apply.',
      data: { applied: applied.map(changeRow) },
      workspace: args.workspace,
      summary: `applied ${plural(applied.length, 'change')}`,
    };
  },
});
