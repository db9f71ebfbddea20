import { homedir } from 'node:os';
import { EngineConnection } from './engine/connection';
import { EngineError, toEngineError } from './engine/errors';
import { collectEngineReport, formatEngineReport } from './engine/report';
import { defaultEngineSettings, EngineSettings, resolveEngineTarget } from './engine/target';

const usage = `Usage: aicli-ws <command> [options]

Commands:
  doctor [--json]     Check the Docker engine: host, versions, cgroups, security features

Options:
  --host HOST         Docker host (default: DOCKER_HOST, the current Docker context, the default socket)
  --api-version V     Docker API version (default: negotiated)
  --timeout MS        Request timeout in milliseconds (default: 10000)
  --json              Machine-readable output
  -h, --help          Show this help`;

interface CliArgs {
  command?: string;
  json: boolean;
  help: boolean;
  settings: EngineSettings;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { json: false, help: false, settings: { ...defaultEngineSettings } };
  const value = (flag: string, i: number): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') args.json = true;
    else if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '--host') args.settings.host = value(arg, i++);
    else if (arg === '--api-version') args.settings.apiVersion = value(arg, i++);
    else if (arg === '--timeout') {
      const ms = Number(value(arg, i++));
      if (!Number.isFinite(ms) || ms <= 0) throw new UsageError('--timeout takes a positive number of milliseconds.');
      args.settings.timeoutMs = ms;
    } else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}.`);
    else if (!args.command) args.command = arg;
    else throw new UsageError(`Unexpected argument ${arg}.`);
  }
  return args;
}

class UsageError extends Error {}

async function doctor(args: CliArgs): Promise<number> {
  const target = resolveEngineTarget(args.settings, process.env, homedir());
  const connection = await EngineConnection.connect(target);
  const report = await collectEngineReport(connection);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatEngineReport(report).join('\n'));
  return 0;
}

function reportFailure(err: unknown, json: boolean, host: string): number {
  const error = err instanceof EngineError ? err : toEngineError(err, host);
  if (json) console.log(JSON.stringify({ error: { kind: error.kind, message: error.message, suggestion: error.suggestion } }, null, 2));
  else console.error(`Error: ${error.message}\n${error.suggestion}`);
  return error.kind === 'badHost' ? 2 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help || !args.command) {
    console.log(usage);
    return args.help ? 0 : 2;
  }
  try {
    switch (args.command) {
      case 'doctor':
        return await doctor(args);
      default:
        console.error(`Unknown command "${args.command}".\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    return reportFailure(err, args.json, args.settings.host || process.env.DOCKER_HOST || 'the default socket');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
