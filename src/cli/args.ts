/** A small argv parser: flags with values, repeatable flags, booleans, and `--` for a command. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string[]>;
  booleans: Set<string>;
  /** Everything after `--`. */
  rest: string[];
}

export function parseArgs(argv: string[], valueFlags: string[], booleanFlags: string[]): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], values: new Map(), booleans: new Set(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      parsed.rest = argv.slice(i + 1);
      break;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (valueFlags.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value.`);
      parsed.values.set(flag, [...(parsed.values.get(flag) ?? []), value]);
    } else if (booleanFlags.includes(flag)) {
      parsed.booleans.add(flag);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`Unknown option ${arg}.`);
    } else {
      parsed.positional.push(arg);
    }
  }
  return parsed;
}

export function single(args: ParsedArgs, flag: string): string | undefined {
  const values = args.values.get(flag);
  if (values && values.length > 1) throw new UsageError(`${flag} is given more than once.`);
  return values?.[0];
}
