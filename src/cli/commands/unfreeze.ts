import { InputError } from '../../engine/errors';
import { unfreezeCommand, unfreezeLocally } from '../../monitor/frozen';
import { WorkspaceService } from '../../workspace/service';
import { Command } from '../command';
import { nameArgument } from '../options';

/**
 * As root on the engine's host: the way out of a workspace frozen half-way by a pause (see
 * monitor/frozen.ts). Thaws and refreezes its cgroup, then unpauses it through the engine.
 * Works from the list alone, since the engine's inspect of that container hangs until then.
 */
async function unfreezeWorkspace(service: WorkspaceService, reference: string, print: (line: string) => void): Promise<number> {
  const workspace = await service.find(reference);
  if (workspace.state !== 'paused') {
    throw new InputError('workspace', `Workspace ${workspace.name} is ${workspace.state}, not paused: there is nothing to unfreeze.`);
  }
  let files: string[];
  try {
    files = await unfreezeLocally(workspace.containerId);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'writing its cgroup needs root' : (err as Error).message;
    throw new InputError('workspace', `Cannot unfreeze ${workspace.name}: ${why}. Run as root on the engine's host: ${unfreezeCommand(workspace.containerId)}`);
  }
  if (files.length === 0) {
    throw new InputError(
      'workspace',
      `No cgroup of workspace ${workspace.name} on this machine: its engine runs elsewhere. Run this on the engine's host, then unpause: ${unfreezeCommand(workspace.containerId)}`,
    );
  }
  print(`Thawed and refroze ${files.join(', ')}`);
  const resumed = await service.lifecycle(workspace.containerId, 'unpause');
  print(`${resumed.name}: ${resumed.state}`);
  return 0;
}

export const unfreeze: Command = {
  names: ['unfreeze'],
  synopsis: ['NAME'],
  description: ["As root on the engine's host: free a paused workspace the engine", 'no longer answers for (an exec frozen half-way), then unpause it'],
  async run({ verb, args, scope }) {
    const name = nameArgument(args, verb);
    return unfreezeWorkspace((await scope()).service, name, (line) => console.log(line));
  },
};
