import { EngineError, InputError, toEngineError } from '../engine/errors';
import { ParsedArgs, single, UsageError } from './args';

/** A failed command on stderr (or as JSON with --json); its exit code: 2 for the user's input, 1 for the engine. */
export function reportError(err: unknown, args: ParsedArgs, usage: () => string): number {
  const json = args.booleans.has('--json');
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${usage()}`);
    return 2;
  }
  if (err instanceof InputError) {
    if (json) console.log(JSON.stringify({ error: { kind: 'input', field: err.field, message: err.message } }, null, 2));
    else console.error(`Error: ${err.message}`);
    return 2;
  }
  const error = err instanceof EngineError ? err : toEngineError(err, single(args, '--host') || process.env.DOCKER_HOST || 'the default socket');
  if (json) console.log(JSON.stringify({ error: { kind: error.kind, message: error.message, suggestion: error.suggestion } }, null, 2));
  else console.error(`Error: ${error.message}\n${error.suggestion}`);
  return error.kind === 'badHost' ? 2 : 1;
}
