import { homedir } from 'node:os';
import { parseArgs, ParsedArgs, single, UsageError } from './cli/args';
import { table, workspaceJson, workspaceRow } from './cli/output';
import { EngineConnection } from './engine/connection';
import { EngineError, toEngineError } from './engine/errors';
import { Engine } from './engine/engine';
import { collectEngineReport, formatEngineReport } from './engine/report';
import { defaultEngineSettings, EngineSettings, EngineTarget, resolveEngineTarget } from './engine/target';
import { enginesCommand, placeWorkspace, targetForEngineName } from './cli/engines';
import { InputError } from './isolation/inputError';
import { defaultPortPolicy } from './isolation/ports';
import { defaultProtectedPaths } from './isolation/projectMount';
import { collectAlerts, formatAlertsReport } from './monitor/alertsReport';
import { buildImage } from './workspace/build';
import { listImages, shortImageId } from './workspace/images';
import { imageRow, pullCommand } from './cli/images';
import { unfreezeWorkspace } from './cli/unfreeze';
import { applyCleanup, describeCleanupPlan, isEmptyPlan, parseDuration, planCleanup } from './workspace/cleanup';
import { CreateOptions, Lifecycle, WorkspaceService } from './workspace/service';
import { allowEgress } from './workspace/gateway';
import { WorkspacePolicy } from './workspace/request';

const usage = `Usage: aicli-ws <command> [options]

Commands:
  doctor [--json]                     Check the engine: host, versions, cgroups, security features
  create --folder DIR [--name N] [--level basic|standard|strict] [--image I]
         [--cpus C] [--memory M] [--pids P] [--publish [IP:]HOST:CONTAINER]... [--label K=V]...
         [--egress auto|none|allowlist|open] [--allow HOST|*.DOMAIN|CIDR]...
         [--health-timeout SECONDS] [--json]
                                      --egress: what the box may reach (auto: basic open, standard
                                      allowlist, strict none); --allow: what allowlist lets through
                                      --health-timeout: wait for the image's own health check
  list [--json]                       Managed workspaces
  inspect NAME                        Engine inspect of a workspace's container (JSON)
  start|stop|restart|pause|unpause NAME
  unfreeze NAME                       As root on the engine's host: free a paused workspace the engine
                                      no longer answers for (an exec frozen half-way), then unpause it
  rm NAME...                          Remove workspaces (container + network; the folder is kept)
  allow NAME HOST...                  Let a workspace reach more hosts (names, *.domain, IPv4 CIDRs); kept with
                                      its egress gateway on the engine, applied by restarting the gateway
  exec NAME -- CMD [ARGS...]          Run a command in /workspace; its exit code is passed through
  alerts [--json] [--wait SECONDS] [--processes]
                                      Security and resource alerts of the managed workspaces: audit,
                                      SECONDS (default 3) of live stats, and with --processes the
                                      process/listener checks (an exec in each running workspace)
  build CONTEXT --tag T [--file DOCKERFILE] [--label K=V]... [--json]
                                      Build an image (labelled aicli.managed=true) from a folder,
                                      honouring its .dockerignore; build output on stderr
  engines [--json]                    The default engine and those in AICLI_ENGINES, with health and load
  pull IMAGE [--json]                 Pull an image; each layer's progress on stderr (Ctrl+C cancels)
  images [--json]                     Local images with size and the workspaces that use them
  cleanup [--dry-run] [--max-age 7d] [--label K=V]... [--json]
                                      Remove exited managed workspaces older than --max-age
                                      (container + network; folders are kept), orphaned managed
                                      networks, dangling managed images and unused managed volumes;
                                      --label limits it to resources with those labels too

Options:
  --host HOST         Docker host (default: DOCKER_HOST, the current Docker context, the default socket)
  --engine NAME       An engine from AICLI_ENGINES (a JSON list like the aicli.engines setting);
                      create --engine auto places on the least-loaded engine that can isolate
  --api-version V     Docker API version (default: negotiated)
  --timeout MS        Request timeout in milliseconds (default: 10000)
  --json              Machine-readable output
  -h, --help          Show this help`;

const valueFlags = [
  '--engine',
  '--host',
  '--api-version',
  '--timeout',
  '--folder',
  '--name',
  '--level',
  '--image',
  '--cpus',
  '--memory',
  '--pids',
  '--publish',
  '--egress',
  '--allow',
  '--label',
  '--wait',
  '--max-age',
  '--tag',
  '--file',
  '--health-timeout',
];
const booleanFlags = ['--json', '--help', '-h', '--processes', '--dry-run'];

function engineSettings(args: ParsedArgs): EngineSettings {
  const timeout = single(args, '--timeout');
  const timeoutMs = timeout === undefined ? defaultEngineSettings.timeoutMs : Number(timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout takes a positive number of milliseconds.');
  return { ...defaultEngineSettings, host: single(args, '--host') ?? '', apiVersion: single(args, '--api-version') ?? '', timeoutMs };
}

const cliPolicy: WorkspacePolicy = {
  defaultImage: 'aicli/base:latest',
  defaultLevel: 'standard',
  resources: {},
  ports: defaultPortPolicy,
  mountEngineSocket: false,
  home: homedir(),
  protectedPaths: [...defaultProtectedPaths],
};

function healthOption(seconds: string | undefined): CreateOptions {
  if (seconds === undefined) return {};
  const value = Number(seconds);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--health-timeout takes seconds (0 or more), got "${seconds}".`);
  return value > 0 ? { waitUntilHealthy: { timeoutMs: value * 1000 } } : {};
}

function labelArguments(args: ParsedArgs): Record<string, string> {
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

function nameArgument(args: ParsedArgs, command: string): string {
  const name = args.positional[1];
  if (!name) throw new UsageError(`${command} needs a workspace name or id.`);
  return name;
}

async function run(args: ParsedArgs): Promise<number> {
  const command = args.positional[0] as string;
  const json = args.booleans.has('--json');
  let connectionPromise: Promise<EngineConnection> | undefined;
  const settings = engineSettings(args);
  const engineName = single(args, '--engine');
  if (engineName !== undefined && single(args, '--host') !== undefined) throw new UsageError('Use either --engine NAME or --host HOST, not both.');
  const defaultTarget = (): EngineTarget => resolveEngineTarget(settings, process.env, homedir());
  // --engine auto (create only): placed on the least-loaded engine that can isolate.
  let placed: Promise<string> | undefined;
  const chosenEngine = async (): Promise<string | undefined> => {
    if (engineName !== 'auto') return engineName;
    if (command !== 'create') throw new UsageError('--engine auto only places new workspaces (create); name the engine for other commands.');
    placed ??= placeWorkspace(defaultTarget, settings.timeoutMs).then(({ name, reason }) => {
      console.error(`Placing on engine ${name} (${reason})`);
      return name;
    });
    return placed;
  };
  // Every command reaches its engine through this one resolution of --engine (or the default).
  const engineTarget = (): Promise<EngineTarget> => chosenEngine().then((name) => targetForEngineName(name, defaultTarget, settings.timeoutMs));
  const connection = (): Promise<EngineConnection> => (connectionPromise ??= engineTarget().then((target) => EngineConnection.connect(target)));
  const service = new WorkspaceService(connection, () => ({ ...cliPolicy, labels: labelArguments(args) }));

  switch (command) {
    case 'doctor': {
      const report = await collectEngineReport(await connection());
      console.log(json ? JSON.stringify(report, null, 2) : formatEngineReport(report).join('\n'));
      return 0;
    }
    case 'create': {
      const folder = single(args, '--folder');
      if (!folder) throw new UsageError('create needs --folder DIR.');
      const { workspace, warnings, notes } = await service.create(
        {
          folder,
          name: single(args, '--name'),
          level: single(args, '--level'),
          image: single(args, '--image'),
          resources: { cpus: single(args, '--cpus'), memory: single(args, '--memory'), pidsLimit: single(args, '--pids') },
          publish: args.values.get('--publish') ?? [],
          egress: single(args, '--egress'),
          allow: args.values.get('--allow') ?? [],
        },
        () => {},
        healthOption(single(args, '--health-timeout')),
      );
      warnings.forEach((warning) => console.error(`WARNING: ${warning}`));
      notes.forEach((note) => console.error(`Note: ${note}`));
      console.log(json ? JSON.stringify(workspaceJson(workspace), null, 2) : `Created workspace ${workspace.name} (${workspace.id}), ${workspace.state}`);
      return 0;
    }
    case 'list': {
      const workspaces = await service.list();
      if (json) console.log(JSON.stringify(workspaces.map(workspaceJson), null, 2));
      else console.log(table(['NAME', 'ID', 'STATE', 'LEVEL', 'IMAGE', 'FOLDER', 'PORTS'], workspaces.map(workspaceRow)));
      return 0;
    }
    case 'inspect':
      console.log(JSON.stringify(await service.inspect(nameArgument(args, command)), null, 2));
      return 0;
    case 'start':
    case 'stop':
    case 'restart':
    case 'pause':
    case 'unpause': {
      const workspace = await service.lifecycle(nameArgument(args, command), command as Lifecycle);
      console.log(json ? JSON.stringify(workspaceJson(workspace), null, 2) : `${workspace.name}: ${workspace.state}`);
      return 0;
    }
    case 'unfreeze':
      return unfreezeWorkspace(service, nameArgument(args, command), (line) => console.log(line));
    case 'rm': {
      const names = args.positional.slice(1);
      if (names.length === 0) throw new UsageError('rm needs at least one workspace name or id.');
      for (const name of names) {
        await service.remove(name);
        console.log(`Removed ${name} (its folder is kept)`);
      }
      return 0;
    }
    case 'allow': {
      const [name, ...entries] = args.positional.slice(1);
      if (!name || entries.length === 0) throw new UsageError('allow needs a workspace and at least one host, e.g. allow my-ws api.example.com');
      const workspace = await service.find(name);
      const plan = await allowEgress(await connection(), workspace.id, entries);
      console.log(
        `${workspace.name} may now reach ${entries.join(', ')} (egress ${plan.mode}; allowed: ${[...plan.allow.domains, ...plan.allow.cidrs].join(', ')})`,
      );
      return 0;
    }
    case 'exec': {
      if (args.rest.length === 0) throw new UsageError('exec needs a command after --, e.g. exec my-ws -- ls -la');
      return service.exec(nameArgument(args, command), args.rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'alerts': {
      const wait = Number(single(args, '--wait') ?? 3);
      if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait takes a number of seconds (0 or more).');
      const target = await engineTarget();
      const engine = new Engine(() => target);
      engine.start();
      try {
        const report = await collectAlerts(engine, wait * 1000, { processChecks: args.booleans.has('--processes') });
        console.log(json ? JSON.stringify(report, null, 2) : formatAlertsReport(report));
        return 0;
      } finally {
        engine.dispose();
      }
    }
    case 'build': {
      const context = args.positional[1];
      const tag = single(args, '--tag');
      if (!context || !tag) throw new UsageError('build needs a context folder and --tag, e.g. build . --tag my-project:latest');
      const built = await buildImage(await connection(), { context, tag, dockerfile: single(args, '--file'), labels: labelArguments(args) }, (line) =>
        console.error(line),
      );
      console.log(json ? JSON.stringify(built, null, 2) : `Built ${built.tag} (${shortImageId(built.imageId)})`);
      return 0;
    }
    case 'engines':
      return enginesCommand(defaultTarget, settings.timeoutMs, json);
    case 'pull':
      return pullCommand(await connection(), args.positional[1], json);
    case 'images': {
      const images = await listImages(await connection());
      if (json) console.log(JSON.stringify(images, null, 2));
      else console.log(table(['IMAGE', 'ID', 'SIZE', 'CREATED', 'USED BY'], images.map(imageRow)));
      return 0;
    }
    case 'cleanup': {
      const maxAge = single(args, '--max-age');
      const plan = await planCleanup(await connection(), {
        maxAgeMs: parseDuration(maxAge ?? '7d', 'max-age'),
        labels: labelArguments(args),
      });
      const dryRun = args.booleans.has('--dry-run');
      if (dryRun || isEmptyPlan(plan)) {
        if (json) console.log(JSON.stringify({ dryRun, plan }, null, 2));
        else console.log(isEmptyPlan(plan) ? 'Nothing to clean up.' : ['Would remove:', ...describeCleanupPlan(plan).map((line) => `  ${line}`)].join('\n'));
        return 0;
      }
      const result = await applyCleanup(await connection(), plan);
      if (json) console.log(JSON.stringify({ dryRun, plan, result }, null, 2));
      else {
        result.removed.forEach((item) => console.log(`Removed ${item}`));
        result.gone.forEach((item) => console.log(`Already gone: ${item}`));
        result.failed.forEach(({ item, message }) => console.error(`Could not remove ${item}: ${message}`));
      }
      return result.failed.length > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, valueFlags, booleanFlags);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.booleans.has('--help') || args.booleans.has('-h') || args.positional.length === 0) {
    console.log(usage);
    return args.positional.length === 0 && !args.booleans.has('--help') && !args.booleans.has('-h') ? 2 : 0;
  }
  const json = args.booleans.has('--json');
  try {
    return await run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage}`);
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
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
