import type { EngineScope } from '../workspace/scope';
import { parseArgs, ParsedArgs, UsageError } from './args';
import { Command, CommandContext } from './command';
import { commands } from './commands';
import { globalBooleanFlags, globalValueFlags } from './options';
import { reportError } from './report';
import { CommandEngines } from './scope';
import { usageText } from './usage';

const valueFlags = [...new Set([...globalValueFlags, ...commands.flatMap((command) => command.values ?? [])])];
const booleanFlags = [...new Set([...globalBooleanFlags, ...commands.flatMap((command) => command.booleans ?? [])])];

export function findCommand(verb: string): Command {
  const command = commands.find((candidate) => candidate.names.includes(verb));
  if (!command) throw new UsageError(`Unknown command "${verb}".`);
  return command;
}

/** A flag of another verb is a mistake here, not something to ignore. */
export function checkFlags(command: Command, verb: string, args: ParsedArgs): void {
  const takes = new Set([...globalValueFlags, ...globalBooleanFlags, ...(command.values ?? []), ...(command.booleans ?? [])]);
  const given = [...args.values.keys(), ...args.booleans];
  const foreign = given.find((flag) => !takes.has(flag));
  if (foreign) throw new UsageError(`${verb} does not take ${foreign}.`);
}

async function dispatch(args: ParsedArgs): Promise<number> {
  // The engine settings are checked first, before the verb is looked up.
  const engines = new CommandEngines(args);
  try {
    const verb = args.positional[0] as string;
    const command = findCommand(verb);
    checkFlags(command, verb, args);
    let scope: Promise<EngineScope> | undefined;
    const context: CommandContext = {
      verb,
      args,
      json: args.booleans.has('--json'),
      scope: () => (scope ??= engines.scopeFor(command)),
      engines,
    };
    return await command.run(context);
  } finally {
    engines.dispose();
  }
}

/** aicli-ws: parses, finds the verb in the table, runs it on its one engine scope; the exit code. */
export async function main(argv: string[]): Promise<number> {
  const usage = (): string => usageText(commands);
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, valueFlags, booleanFlags);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage()}`);
    return 2;
  }
  const help = args.booleans.has('--help') || args.booleans.has('-h');
  if (help || args.positional.length === 0) {
    console.log(usage());
    return help ? 0 : 2;
  }
  try {
    return await dispatch(args);
  } catch (err) {
    return reportError(err, args, usage);
  }
}
