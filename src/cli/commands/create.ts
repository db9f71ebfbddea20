import type { CreateOptions } from '../../workspace/service';
import { single, UsageError } from '../args';
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
    '[--cpus C] [--memory M] [--pids P] [--publish [IP:]HOST:CONTAINER]... [--label K=V]...',
    '[--egress auto|none|allowlist|open] [--allow HOST|*.DOMAIN|CIDR]...',
    '[--mount auto|review|copy|bind] [--runtime auto|runc|runsc]',
    '[--health-timeout SECONDS] [--json]',
  ],
  description: [
    '--egress: what the box may reach (auto: basic open, standard',
    'allowlist, strict none); --allow: what allowlist lets through',
    '--mount: how the box sees the folder (auto: review on a local',
    'engine, copy on a remote one; bind: the folder itself)',
    '--runtime: runsc runs the box on gVisor (sandboxed: always; auto:',
    "sandboxed on runsc, the others on the engine's default)",
    "--health-timeout: wait for the image's own health check",
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
    '--label',
    '--egress',
    '--allow',
    '--mount',
    '--runtime',
    '--health-timeout',
  ],
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
      egress: single(args, '--egress'),
      allow: args.values.get('--allow') ?? [],
      mount: single(args, '--mount'),
      runtime: single(args, '--runtime'),
    };
    const options = healthOption(single(args, '--health-timeout'));
    const { workspace, warnings, notes } = await (await scope()).service.create(request, () => {}, options);
    warnings.forEach((warning) => console.error(`WARNING: ${warning}`));
    notes.forEach((note) => console.error(`Note: ${note}`));
    console.log(json ? JSON.stringify(workspaceJson(workspace), null, 2) : `Created workspace ${workspace.name} (${workspace.id}), ${workspace.state}`);
    return 0;
  },
};
