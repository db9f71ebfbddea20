import { InputError } from '../engine/errors';
import { checkEnvironment } from './environment';
import { labels } from './model';
import { WorkspaceAttach } from './request';

/** A command as the engine runs it: a non-empty list of strings. */
const isArgv = (argv: unknown): argv is string[] => Array.isArray(argv) && argv.length > 0 && argv.every((part) => typeof part === 'string');

/** The label that carries what terminals get, checked; none when there is nothing to carry. */
export function attachLabel(attach: WorkspaceAttach | undefined): Record<string, string> {
  if (!attach || (!Object.keys(attach.env).length && !attach.commands.length)) return {};
  checkEnvironment(attach.env);
  if (!attach.commands.every(isArgv)) {
    throw new InputError('attach', 'Each command to run when a terminal attaches must be a non-empty list of strings.');
  }
  return { [labels.attach]: JSON.stringify(attach) };
}

/**
 * What a workspace's terminals get, read back from its label; nothing for a workspace without
 * one, or whose label does not hold what attachLabel writes (it is never trusted further).
 */
export function attachOf(workspaceLabels: Readonly<Record<string, string>>): WorkspaceAttach {
  const none = { env: {}, commands: [] };
  const raw = workspaceLabels[labels.attach];
  if (!raw) return none;
  try {
    const parsed = JSON.parse(raw) as Partial<WorkspaceAttach>;
    const env = parsed.env && typeof parsed.env === 'object' ? checkEnvironment(parsed.env as Record<string, string>) : {};
    const commands = Array.isArray(parsed.commands) ? parsed.commands.filter(isArgv) : [];
    return { env: Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === 'string')), commands };
  } catch {
    return none;
  }
}
