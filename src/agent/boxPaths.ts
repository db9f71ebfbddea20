import { posix } from 'node:path';
import { InputError } from '../engine/errors';

/** The project inside every workspace; the file tools reach nothing else. */
export const boxProject = '/workspace';

/**
 * An agent's path (relative to /workspace, or absolute under it) as an absolute, normalized
 * path inside /workspace. `..` that climbs out is refused here, before the box is asked; a
 * symbolic link in the box that leads out is refused by the script that reads or writes.
 */
export function boxPath(given: string): string {
  if (given.includes('\0')) throw new InputError('path', 'The path contains a NUL character; give a plain path such as src/main.ts.');
  const absolute = posix.normalize(posix.isAbsolute(given) ? given : posix.join(boxProject, given || '.'));
  const trimmed = absolute.length > 1 && absolute.endsWith('/') ? absolute.slice(0, -1) : absolute;
  if (trimmed !== boxProject && !trimmed.startsWith(`${boxProject}/`)) {
    throw new InputError(
      'path',
      `"${given}" is outside ${boxProject}: the file tools reach only the project in the box. Give a path like src/main.ts or ${boxProject}/src/main.ts (run other paths through workspace_exec).`,
    );
  }
  return trimmed;
}

/** What the agent sees: relative to /workspace ("." for the project itself). */
export function shownPath(absolute: string): string {
  return absolute === boxProject ? '.' : absolute.slice(boxProject.length + 1);
}
