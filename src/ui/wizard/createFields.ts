import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { checkNoDuplicateHostPorts, parsePortMapping, PortPolicy } from '../../isolation/ports';
import { parseCpus, parseMemory, parsePositiveInteger } from '../../isolation/resources';
import { parseEnvironment } from '../../workspace/environment';
import { devcontainerConfigs, readDevcontainerConfig } from '../../workspace/devcontainer/config';
import { planDevcontainer } from '../../workspace/devcontainer/plan';
import { LocalImage } from '../../workspace/images';
import { checkWorkspaceName } from '../../workspace/model';
import { back, inputStep, messageOf, pickStep, StepAnswer } from './quickInput';
import { settingChoices } from './settingChoices';

/** Everything the wizard asks, as typed (the core parses it again at create). */
export interface WizardValues {
  folder: string;
  /** The folder's devcontainer.json to create from; '' for none. */
  devcontainer: string;
  name: string;
  image: string;
  level: string;
  runtime: string;
  egress: string;
  mount: string;
  cpus: string;
  memory: string;
  pids: string;
  publish: string[];
  env: string[];
}

/** What the engine said when the wizard opened: its totals, runtimes and images. */
export interface EngineFacts {
  cpus?: number;
  memoryBytes?: number;
  runtimes: string[];
  images: LocalImage[];
  /** Why the images or totals are missing (engine unreachable). */
  problem?: string;
}

export interface FieldFrame {
  title: string;
  step?: { index: number; total: number };
  canGoBack: boolean;
}

type Item<T> = vscode.QuickPickItem & { value: T };

export async function askFolder(frame: FieldFrame, current: string): Promise<StepAnswer<string>> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const browse: Item<string | undefined> = { label: '$(folder-opened) Choose Folder…', value: undefined };
  const items: Item<string | undefined>[] = [
    ...folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, value: folder.uri.fsPath })),
    browse,
  ];
  const picked = await pickStep({
    ...frame,
    items,
    active: items.find((item) => item.value === current),
    placeholder: 'Seen at /workspace (by default as its own view: your folder changes only when you apply)',
  });
  if (picked === back || picked === undefined) return picked;
  if (picked.value) return picked.value;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as Workspace Folder' });
  return chosen?.[0]?.fsPath ?? back;
}

export function askName(frame: FieldFrame, current: string, taken: ReadonlySet<string>): Promise<StepAnswer<string>> {
  return inputStep({
    ...frame,
    value: current,
    prompt: 'The workspace name: letters, digits, ".", "_" and "-"',
    validate: (value) =>
      messageOf(() => checkWorkspaceName(value)) ??
      (taken.has(value.trim()) ? `A workspace named "${value.trim()}" already exists; choose another name.` : undefined),
  });
}

export async function askImage(frame: FieldFrame, current: string, facts: EngineFacts): Promise<StepAnswer<string>> {
  const tagged = facts.images
    .filter((image) => !image.gateway)
    .flatMap((image) =>
      image.tags.map((tag): Item<string> => ({
        label: tag,
        description: formatBytes(image.sizeBytes),
        detail: image.usedBy.length ? `used by ${image.usedBy.join(', ')}` : undefined,
        value: tag,
      })),
    );
  const missingCurrent = current && !tagged.some((item) => item.value === current);
  const items = missingCurrent ? [{ label: current, description: 'not on the engine: create offers Pull or Build', value: current }, ...tagged] : tagged;
  const picked = await pickStep<Item<string>>({
    ...frame,
    items,
    active: items.find((item) => item.value === current),
    placeholder: facts.problem ?? 'An image on the engine (with its size), or type another reference',
    typed: (value) => ({ label: value, description: 'another image: create offers Pull or Build if the engine lacks it', value }),
  });
  return picked === back || picked === undefined ? picked : picked.value;
}

/** A pick among a setting's values, described as in the Settings editor. */
export async function askChoice(
  frame: FieldFrame,
  settingKey: string,
  current: string,
  note: (value: string) => string | undefined = () => undefined,
): Promise<StepAnswer<string>> {
  const items = settingChoices(settingKey).map((choice): Item<string> => ({
    label: choice.value,
    description: [choice.value === current ? 'current' : undefined, note(choice.value)].filter(Boolean).join(' · ') || undefined,
    detail: choice.description,
    value: choice.value,
  }));
  const picked = await pickStep({ ...frame, items, active: items.find((item) => item.value === current) });
  return picked === back || picked === undefined ? picked : picked.value;
}

export function askCpus(frame: FieldFrame, current: string, facts: EngineFacts): Promise<StepAnswer<string>> {
  return inputStep({
    ...frame,
    value: current,
    prompt: facts.cpus ? `CPUs for the workspace; the engine has ${facts.cpus}` : 'CPUs for the workspace, e.g. 0.5 or 2',
    validate: (value) => messageOf(() => parseCpus(value, 'cpus', facts.cpus)),
  });
}

export function askMemory(frame: FieldFrame, current: string, facts: EngineFacts): Promise<StepAnswer<string>> {
  return inputStep({
    ...frame,
    value: current,
    prompt: facts.memoryBytes
      ? `Memory for the workspace, e.g. 512m or 2g; the engine has ${formatBytes(facts.memoryBytes)}`
      : 'Memory for the workspace, e.g. 512m or 2g',
    validate: (value) => messageOf(() => parseMemory(value, facts.memoryBytes)),
  });
}

export function askPids(frame: FieldFrame, current: string): Promise<StepAnswer<string>> {
  return inputStep({
    ...frame,
    value: current,
    prompt: 'The most processes the workspace may run at once',
    validate: (value) => messageOf(() => parsePositiveInteger(value, 'pidsLimit')),
  });
}

/** "8888:8080, 9229" → the mappings as typed. */
export function portSpecs(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((spec) => spec.trim())
    .filter(Boolean);
}

export function askPorts(frame: FieldFrame, current: readonly string[], policy: PortPolicy): Promise<StepAnswer<string[]>> {
  return inputStep({
    ...frame,
    value: current.join(', '),
    prompt: `Ports to publish, comma-separated: HOST:CONTAINER, IP:HOST:CONTAINER or PORT (on ${policy.publishAddress} unless an address is given); empty for none`,
    placeholder: 'e.g. 18080:8080, 9229',
    validate: (value) => messageOf(() => checkNoDuplicateHostPorts(portSpecs(value).map((spec) => parsePortMapping(spec, policy)))),
  }).then((answer) => (typeof answer === 'string' ? portSpecs(answer) : answer));
}

/** The environment as a list: add a variable, pick one to remove, Done to go back. */
export async function askEnvironment(frame: FieldFrame, current: readonly string[]): Promise<StepAnswer<string[]>> {
  let entries = [...current];
  for (;;) {
    const done: Item<'done'> = { label: '$(check) Done', description: entries.length ? `${entries.length} variables` : 'no variables', value: 'done' };
    const add: Item<'add'> = { label: '$(add) Add Variable…', description: 'NAME=value', value: 'add' };
    const rows = entries.map((entry): Item<string> => ({ label: entry, description: 'pick to remove', value: entry }));
    const picked = await pickStep<Item<string>>({ ...frame, items: [done, add, ...rows] });
    if (picked === back || picked === undefined) return picked;
    if (picked.value === 'done') return entries;
    if (picked.value === 'add') {
      const entry = await inputStep({
        title: `${frame.title}: add a variable`,
        canGoBack: true,
        value: '',
        placeholder: 'NAME=value',
        validate: (value) => (value.trim() === '' ? 'Type NAME=value.' : messageOf(() => parseEnvironment([...entries, value.trim()]))),
      });
      if (entry === undefined) return undefined;
      if (entry !== back) entries = [...entries, entry.trim()];
    } else {
      entries = entries.filter((entry) => entry !== picked.value);
    }
  }
}

/** What a devcontainer.json would give, for its row; or why it cannot be used. */
export function describeDevcontainer(file: string): { ok: boolean; text: string } {
  try {
    const plan = planDevcontainer(readDevcontainerConfig(file));
    const source = plan.build ? `builds ${relative(plan.build.context, join(plan.build.context, plan.build.dockerfile))}` : `image ${plan.image ?? '?'}`;
    return { ok: true, text: [source, ...plan.taken.filter((taken) => !/^(image|build) /.test(taken))].join('; ') };
  } catch (err) {
    return { ok: false, text: err instanceof Error ? err.message : String(err) };
  }
}

/** Offered only when the folder has one: create from its devcontainer.json, or not. */
export async function askDevcontainer(frame: FieldFrame, folder: string, current: string): Promise<StepAnswer<string>> {
  const none: Item<string> = { label: "$(close) Don't use it", description: 'choose image, ports and environment here', value: '' };
  for (;;) {
    const items = [
      ...devcontainerConfigs(folder).map((file): Item<string> => {
        const described = describeDevcontainer(file);
        return {
          label: `${described.ok ? '$(file-code)' : '$(error)'} ${relative(folder, file)}`,
          description: described.ok ? 'use it' : 'cannot be used',
          detail: described.text,
          value: described.ok ? file : `!${described.text}`,
        };
      }),
      none,
    ];
    const picked = await pickStep({
      ...frame,
      items,
      active: items.find((item) => item.value === current) ?? items[0],
      placeholder:
        'The folder has a dev container configuration: its image or Dockerfile, environment, ports and lifecycle commands (our isolation always wins)',
    });
    if (picked === back || picked === undefined) return picked;
    if (!picked.value.startsWith('!')) return picked.value;
    void vscode.window.showErrorMessage(picked.value.slice(1));
  }
}
