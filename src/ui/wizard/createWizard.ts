import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { egressForLevel } from '../../isolation/egress';
import { IsolationLevel } from '../../isolation/levels';
import { PortPolicy } from '../../isolation/ports';
import { parseEnvironment } from '../../workspace/environment';
import { relative } from 'node:path';
import { devcontainerConfigs } from '../../workspace/devcontainer/config';
import { defaultWorkspaceName } from '../../workspace/model';
import { CreateWorkspaceRequest } from '../../workspace/request';
import {
  askChoice,
  askCpus,
  askDevcontainer,
  describeDevcontainer,
  askEnvironment,
  askFolder,
  askImage,
  askMemory,
  askName,
  askPids,
  askPorts,
  EngineFacts,
  FieldFrame,
  WizardValues,
} from './createFields';
import { back, pickStep, StepAnswer } from './quickInput';

/** The questions asked in turn before the summary; the rest are rows of the summary. */
const askedInTurn = ['folder', 'devcontainer', 'name', 'image', 'level'] as const;
type AskedInTurn = (typeof askedInTurn)[number];
type Field = keyof WizardValues;

export interface WizardSetup {
  initial: WizardValues;
  /** Fields the caller already gave (a folder from the tree, an image from the Images view): not asked in turn. */
  given: ReadonlySet<Field>;
  taken: ReadonlySet<string>;
  ports: PortPolicy;
  facts: Promise<EngineFacts>;
  engineName?: string;
  /** The image to go back to when a devcontainer.json is not used after all. */
  defaultImage: string;
}

/** What the wizard decided: the request, and the devcontainer.json to create from. */
export interface WizardResult {
  request: CreateWorkspaceRequest;
  devcontainer?: string;
}

function asksNow(field: AskedInTurn, values: WizardValues, setup: WizardSetup): boolean {
  if (field === 'devcontainer') return devcontainerConfigs(values.folder).length > 0;
  if (field === 'image') return !values.devcontainer || setup.given.has('image');
  return true;
}

const fieldTitles: Record<Field, string> = {
  folder: 'project folder',
  devcontainer: 'dev container configuration',
  name: 'name',
  image: 'image',
  level: 'isolation level',
  runtime: 'runtime',
  egress: 'egress',
  mount: 'project mount',
  cpus: 'CPUs',
  memory: 'memory',
  pids: 'processes',
  publish: 'ports',
  env: 'environment',
};

/** One field's question; undefined: cancelled, back: the previous step. */
async function askField(field: Field, values: WizardValues, setup: WizardSetup, frame: FieldFrame): Promise<StepAnswer<Partial<WizardValues>>> {
  const facts = await setup.facts;
  const level = values.level as IsolationLevel;
  const answer = await (async (): Promise<StepAnswer<string | string[]>> => {
    switch (field) {
      case 'folder':
        return askFolder(frame, values.folder);
      case 'devcontainer':
        return askDevcontainer(frame, values.folder, values.devcontainer);
      case 'name':
        return askName(frame, values.name, setup.taken);
      case 'image':
        return askImage(frame, values.image, facts);
      case 'level':
        return askChoice(frame, 'aicli.isolation.level', values.level);
      case 'runtime':
        return askChoice(frame, 'aicli.isolation.runtime', values.runtime, (value) =>
          value === 'runsc' && !facts.runtimes.includes('runsc') ? 'not on this engine' : undefined,
        );
      case 'egress':
        return askChoice(frame, 'aicli.network.egress', values.egress, (value) =>
          value === 'auto' ? `${egressForLevel[level] ?? '?'} at ${level}` : undefined,
        );
      case 'mount':
        return askChoice(frame, 'aicli.workspace.projectMount', values.mount);
      case 'cpus':
        return askCpus(frame, values.cpus, facts);
      case 'memory':
        return askMemory(frame, values.memory, facts);
      case 'pids':
        return askPids(frame, values.pids);
      case 'publish':
        return askPorts(frame, values.publish, setup.ports);
      case 'env':
        return askEnvironment(frame, values.env);
    }
  })();
  if (answer === back || answer === undefined) return answer;
  return { [field]: answer };
}

function summaryRows(values: WizardValues, facts: EngineFacts): { field: Field; label: string; description: string }[] {
  const of = (total: string | undefined): string => (total ? ` (the engine has ${total})` : '');
  const fromConfig = values.devcontainer ? relative(values.folder, values.devcontainer) : '';
  return [
    { field: 'folder', label: 'Folder', description: values.folder },
    ...(fromConfig || devcontainerConfigs(values.folder).length
      ? [
          {
            field: 'devcontainer' as const,
            label: 'Dev container',
            description: fromConfig ? `${fromConfig}: ${describeDevcontainer(values.devcontainer).text}` : 'not used',
          },
        ]
      : []),
    { field: 'name', label: 'Name', description: values.name },
    { field: 'image', label: 'Image', description: values.image || `from ${fromConfig}` },
    { field: 'level', label: 'Isolation level', description: values.level },
    { field: 'runtime', label: 'Runtime', description: values.runtime },
    {
      field: 'egress',
      label: 'Egress',
      description: values.egress === 'auto' ? `auto: ${egressForLevel[values.level as IsolationLevel] ?? '?'} at ${values.level}` : values.egress,
    },
    { field: 'mount', label: 'Project mount', description: values.mount },
    { field: 'cpus', label: 'CPUs', description: `${values.cpus}${of(facts.cpus ? String(facts.cpus) : undefined)}` },
    { field: 'memory', label: 'Memory', description: `${values.memory}${of(facts.memoryBytes ? formatBytes(facts.memoryBytes) : undefined)}` },
    { field: 'pids', label: 'Processes', description: values.pids },
    { field: 'publish', label: 'Ports', description: values.publish.length ? values.publish.join(', ') : fromConfig ? `those of ${fromConfig}` : 'none' },
    { field: 'env', label: 'Environment', description: values.env.length ? values.env.join(', ') : fromConfig ? `that of ${fromConfig}` : 'none' },
  ];
}

type SummaryItem = vscode.QuickPickItem & { field?: Field };

/** The last step: Enter creates; a row opens its question and comes back here. */
async function summary(values: WizardValues, setup: WizardSetup, step: FieldFrame['step'], canGoBack: boolean): Promise<StepAnswer<Field | 'create'>> {
  const facts = await setup.facts;
  const create: SummaryItem = {
    label: `$(rocket) Create ${values.name}`,
    description: setup.engineName ? `on ${setup.engineName}` : undefined,
    detail: 'Enter creates; pick a row below to change it',
  };
  const rows: SummaryItem[] = summaryRows(values, facts).map((row) => ({ label: row.label, description: row.description, field: row.field }));
  const picked = await pickStep<SummaryItem>({
    title: 'Create Workspace: summary',
    step,
    canGoBack,
    items: [create, { label: 'Change', kind: vscode.QuickPickItemKind.Separator }, ...rows],
    placeholder: facts.problem,
  });
  if (picked === back || picked === undefined) return picked;
  return picked.field ?? 'create';
}

/**
 * The create wizard: folder, name, image and level in turn (each with Back), then a summary of
 * every value with the engine's totals, where Enter creates and a row changes that value.
 */
export async function runCreateWizard(setup: WizardSetup): Promise<WizardResult | undefined> {
  const values: WizardValues = { ...setup.initial, publish: [...setup.initial.publish], env: [...setup.initial.env] };
  const turns: AskedInTurn[] = askedInTurn.filter((field) => !setup.given.has(field));
  let position = 0;
  let lastAnswer: StepAnswer<Partial<WizardValues>> = {};
  for (;;) {
    const field = turns[position];
    if (field !== undefined && !asksNow(field, values, setup)) {
      // Not a question for this folder (no devcontainer.json) or this choice (its image comes from one).
      position = lastAnswer === back ? position - 1 : position + 1;
      if (position < 0) {
        position = 0;
        lastAnswer = {};
      }
      continue;
    }
    if (field !== undefined) {
      const asked = turns.filter((turn) => asksNow(turn, values, setup));
      const step = { index: asked.indexOf(field) + 1, total: asked.length + 1 };
      const answer = await askField(field, values, setup, { title: `Create Workspace: ${fieldTitles[field]}`, step, canGoBack: step.index > 1 });
      if (answer === undefined) return undefined;
      lastAnswer = answer;
      if (answer === back) position = Math.max(0, position - 1);
      else {
        Object.assign(values, answer);
        // A new folder brings its own default name, unless the caller named the workspace.
        if (field === 'folder' && !setup.given.has('name')) values.name = defaultWorkspaceName(values.folder);
        if (field === 'folder') values.devcontainer = devcontainerConfigs(values.folder)[0] ?? '';
        if (field === 'devcontainer' && values.devcontainer && !setup.given.has('image')) values.image = '';
        if (field === 'devcontainer' && !values.devcontainer && !values.image) values.image = setup.initial.image || setup.defaultImage;
        position++;
      }
      continue;
    }
    const asked = turns.filter((turn) => asksNow(turn, values, setup)).length;
    const chosen = await summary(values, setup, { index: asked + 1, total: asked + 1 }, asked > 0);
    if (chosen === undefined) return undefined;
    if (chosen === back) {
      position = turns.length - 1;
      lastAnswer = back;
      continue;
    }
    if (chosen === 'create') return { request: requestOf(values), devcontainer: values.devcontainer || undefined };
    const edited = await askField(chosen, values, setup, { title: `Create Workspace: ${fieldTitles[chosen]}`, canGoBack: true });
    if (edited === undefined) return undefined;
    if (edited !== back) Object.assign(values, edited);
  }
}

function requestOf(values: WizardValues): CreateWorkspaceRequest {
  return {
    folder: values.folder,
    name: values.name.trim(),
    // Empty: the devcontainer.json's image or build.
    image: values.image.trim() || undefined,
    level: values.level,
    runtime: values.runtime,
    egress: values.egress,
    mount: values.mount,
    resources: { cpus: values.cpus, memory: values.memory, pidsLimit: values.pids },
    publish: values.publish,
    env: parseEnvironment(values.env),
  };
}
