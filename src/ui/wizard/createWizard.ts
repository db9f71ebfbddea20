import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { egressForLevel } from '../../isolation/egress';
import { IsolationLevel } from '../../isolation/levels';
import { PortPolicy } from '../../isolation/ports';
import { parseEnvironment } from '../../workspace/environment';
import { defaultWorkspaceName } from '../../workspace/model';
import { CreateWorkspaceRequest } from '../../workspace/request';
import {
  askChoice,
  askCpus,
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
const askedInTurn = ['folder', 'name', 'image', 'level'] as const;
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
}

const fieldTitles: Record<Field, string> = {
  folder: 'project folder',
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
  return [
    { field: 'folder', label: 'Folder', description: values.folder },
    { field: 'name', label: 'Name', description: values.name },
    { field: 'image', label: 'Image', description: values.image },
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
    { field: 'publish', label: 'Ports', description: values.publish.length ? values.publish.join(', ') : 'none' },
    { field: 'env', label: 'Environment', description: values.env.length ? values.env.join(', ') : 'none' },
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
export async function runCreateWizard(setup: WizardSetup): Promise<CreateWorkspaceRequest | undefined> {
  const values: WizardValues = { ...setup.initial, publish: [...setup.initial.publish], env: [...setup.initial.env] };
  const turns: AskedInTurn[] = askedInTurn.filter((field) => !setup.given.has(field));
  const total = turns.length + 1;
  let position = 0;
  for (;;) {
    const field = turns[position];
    if (field !== undefined) {
      const answer = await askField(field, values, setup, {
        title: `Create Workspace: ${fieldTitles[field]}`,
        step: { index: position + 1, total },
        canGoBack: position > 0,
      });
      if (answer === undefined) return undefined;
      if (answer === back) position = Math.max(0, position - 1);
      else {
        Object.assign(values, answer);
        // A new folder brings its own default name, unless the caller named the workspace.
        if (field === 'folder' && !setup.given.has('name')) values.name = defaultWorkspaceName(values.folder);
        position++;
      }
      continue;
    }
    const chosen = await summary(values, setup, { index: total, total }, turns.length > 0);
    if (chosen === undefined) return undefined;
    if (chosen === back) {
      position = turns.length - 1;
      continue;
    }
    if (chosen === 'create') return requestOf(values);
    const edited = await askField(chosen, values, setup, { title: `Create Workspace: ${fieldTitles[chosen]}`, canGoBack: true });
    if (edited === undefined) return undefined;
    if (edited !== back) Object.assign(values, edited);
  }
}

function requestOf(values: WizardValues): CreateWorkspaceRequest {
  return {
    folder: values.folder,
    name: values.name.trim(),
    image: values.image.trim(),
    level: values.level,
    runtime: values.runtime,
    egress: values.egress,
    mount: values.mount,
    resources: { cpus: values.cpus, memory: values.memory, pidsLimit: values.pids },
    publish: values.publish,
    env: parseEnvironment(values.env),
  };
}
