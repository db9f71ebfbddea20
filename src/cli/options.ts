import { ParsedArgs, UsageError } from './args';

/** The flags every verb takes; each verb adds its own (see Command). */
export const globalValueFlags = ['--engine', '--host', '--api-version', '--timeout'];
export const globalBooleanFlags = ['--json', '--help', '-h'];

export function nameArgument(args: ParsedArgs, verb: string): string {
  const name = args.positional[1];
  if (!name) throw new UsageError(`${verb} needs a workspace name or id.`);
  return name;
}

/** --label K=V…: the user's own labels, never one of ours. */
export function labelArguments(args: ParsedArgs): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of args.values.get('--label') ?? []) {
    const [key, ...value] = pair.split('=');
    if (!key || value.length === 0 || key.startsWith('aicli.workspace.') || key === 'aicli.managed') {
      throw new UsageError(`--label takes KEY=VALUE (not an aicli.workspace.* or aicli.managed key), got "${pair}".`);
    }
    labels[key] = value.join('=');
  }
  return labels;
}
