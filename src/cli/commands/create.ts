import { resolve } from 'node:path';
import { chooseDevcontainerConfig, readDevcontainerConfig } from '../../workspace/devcontainer/config';
import { devcontainerRequest, devcontainerSummary, runLifecycleCommands } from '../../workspace/devcontainer/create';
import { DevcontainerPlan, planDevcontainer } from '../../workspace/devcontainer/plan';
import { parseEnvironment } from '../../workspace/environment';
import type { CreateOptions } from '../../workspace/service';
import { ParsedArgs, single, UsageError } from '../args';
import { Command } from '../command';
import { workspaceJson } from '../output';

function healthOption(seconds: string | undefined): CreateOptions {
  if (seconds === undefined) return {};
  const value = Number(seconds);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--health-timeout takes seconds (0 or more), got "${seconds}".`);
  return value > 0 ? { waitUntilHealthy: { timeoutMs: value * 1000 } } : {};
}

export const create: Command = {
  names: ['create'],
  synopsis: [
    '--folder DIR [--name N] [--level basic|standard|strict|sandboxed] [--image I]',
    '[--cpus C] [--memory M] [--pids P] [--publish [IP:]HOST:CONTAINER]... [--env NAME=VALUE]...',
    '[--label K=V]...',
    '[--egress auto|none|allowlist|open] [--allow HOST|*.DOMAIN|CIDR]...',
    '[--mount auto|review|copy|bind] [--runtime auto|runc|runsc]',
    '[--health-timeout SECONDS] [--devcontainer FILE | --no-devcontainer] [--skip-features]',
    '[--json]',
  ],
  description: [
    '--egress: what the box may reach (auto: basic open, standard',
    'allowlist, strict none); --allow: what allowlist lets through',
    '--mount: how the box sees the folder (auto: review on a local',
    'engine, copy on a remote one; bind: the folder itself)',
    '--runtime: runsc runs the box on gVisor (sandboxed: always; auto:',
    "sandboxed on runsc, the others on the engine's default)",
    "--env: a variable of the box (after the devcontainer.json's, which",
    'it overrides); WORKSPACE_ID and WORKSPACE_NAME are always set',
    "--health-timeout: wait for the image's own health check",
    "--devcontainer: the folder's .devcontainer/devcontainer.json is read",
    'unless --no-devcontainer: image or build, containerEnv, ports and',
    'lifecycle commands; what would weaken the level is refused;',
    '--skip-features: create without its features (not fetched offline)',
  ],
  values: [
    '--folder',
    '--name',
    '--level',
    '--image',
    '--cpus',
    '--memory',
    '--pids',
    '--publish',
    '--env',
    '--label',
    '--egress',
    '--allow',
    '--mount',
    '--runtime',
    '--health-timeout',
    '--devcontainer',
  ],
  booleans: ['--no-devcontainer', '--skip-features'],
  placement: true,
  async run({ args, scope, json }) {
    const folder = single(args, '--folder');
    if (!folder) throw new UsageError('create needs --folder DIR.');
    const request = {
      folder,
      name: single(args, '--name'),
      level: single(args, '--level'),
      image: single(args, '--image'),
      resources: { cpus: single(args, '--cpus'), memory: single(args, '--memory'), pidsLimit: single(args, '--pids') },
      publish: args.values.get('--publish') ?? [],
      env: parseEnvironment(args.values.get('--env') ?? []),
      egress: single(args, '--egress'),
      allow: args.values.get('--allow') ?? [],
      mount: single(args, '--mount'),
      runtime: single(args, '--runtime'),
    };
    const options = healthOption(single(args, '--health-timeout'));
    const plan = devcontainerPlanOf(args, resolve(folder));
    const engine = await scope();
    const asked = plan
      ? await devcontainerRequest(await engine.connection(), request, plan, {
          ports: engine.service.portPolicy,
          skipFeatures: args.booleans.has('--skip-features'),
          onBuildOutput: (line) => console.error(line),
        })
      : request;
    const { workspace, warnings, notes } = await engine.service.create(asked, () => {}, options);
    warnings.forEach((warning) => console.error(`WARNING: ${warning}`));
    [...(plan ? devcontainerSummary(plan, resolve(folder)) : []), ...notes].forEach((note) => console.error(`Note: ${note}`));
    const failed =
      plan &&
      (await runLifecycleCommands(
        (command, output) => engine.service.exec(workspace.name, command, output),
        plan,
        (line) => console.error(line),
      ));
    console.log(json ? JSON.stringify(workspaceJson(workspace), null, 2) : `Created workspace ${workspace.name} (${workspace.id}), ${workspace.state}`);
    if (failed) {
      console.error(
        `Error: its ${failed.name} failed (exit ${failed.code}); the workspace is kept: fix the command in ${plan.file} and run it with aicli-ws exec ${workspace.name} -- ….`,
      );
      return 1;
    }
    return 0;
  },
};

/** The plan of the folder's dev container configuration, unless --no-devcontainer; --devcontainer FILE names one. */
function devcontainerPlanOf(args: ParsedArgs, folder: string): DevcontainerPlan | undefined {
  if (args.booleans.has('--no-devcontainer')) return undefined;
  const named = single(args, '--devcontainer');
  const file = named ? resolve(named) : chooseDevcontainerConfig(folder);
  return file ? planDevcontainer(readDevcontainerConfig(file)) : undefined;
}
