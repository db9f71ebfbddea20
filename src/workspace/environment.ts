import { InputError } from '../engine/errors';

/** Set by every create for the box's own scripts; a request cannot replace them. */
export const reservedEnvironment = ['WORKSPACE_ID', 'WORKSPACE_NAME'];

/** A name the engine and a shell both take: letters, digits and underscores, not a digit first. */
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string, entry: string): void {
  if (!namePattern.test(name)) {
    throw new InputError('env', `Environment entry "${entry}": "${name}" is not a variable name: use letters, digits and _, not starting with a digit.`);
  }
  if (reservedEnvironment.includes(name)) {
    throw new InputError('env', `Environment entry "${entry}": ${name} is set by AICLI itself; choose another name.`);
  }
}

/** "KEY=VALUE" entries (the value may be empty or hold "="), each name once. */
export function parseEnvironment(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals < 0) throw new InputError('env', `Environment entry "${entry}" must look like NAME=value.`);
    const name = entry.slice(0, equals).trim();
    checkName(name, entry);
    if (name in env) throw new InputError('env', `Environment entry "${entry}": ${name} is given twice.`);
    env[name] = entry.slice(equals + 1);
  }
  return env;
}

/** The same rules for an environment given as an object (a devcontainer.json's containerEnv). */
export function checkEnvironment(env: Readonly<Record<string, string>>): Record<string, string> {
  return parseEnvironment(Object.entries(env).map(([name, value]) => `${name}=${value}`));
}
