import type { Workspace, WorkspaceState } from './model';
import type { Lifecycle } from './service';

/** What a workspace row offers that depends on its state: the lifecycle verbs and Remove. */
export type WorkspaceAction = Lifecycle | 'remove';

export interface ActionRow {
  action: WorkspaceAction;
  /** The command that runs it (package.json `contributes.commands`). */
  command: string;
  title: string;
  /** The states it is offered in: the menus' `when`, the palette pickers and multi-select all read this. */
  states: readonly WorkspaceState[];
}

// Exhaustive by type: a new engine state fails to compile here until it is listed.
const stateSet: Record<WorkspaceState, true> = { created: true, running: true, paused: true, restarting: true, removing: true, exited: true, dead: true };
export const workspaceStates = Object.keys(stateSet) as WorkspaceState[];

/**
 * The one state → actions table. package.json's `view/item/context` regexes are a copy the
 * editor needs; test/unit/actions.test.ts checks them against this.
 */
export const workspaceActions: readonly ActionRow[] = [
  { action: 'start', command: 'aicli.startWorkspace', title: 'Start', states: ['exited', 'created', 'dead'] },
  { action: 'stop', command: 'aicli.stopWorkspace', title: 'Stop', states: ['running', 'restarting', 'paused'] },
  // Not `dead` (a container whose removal failed): the engine refuses to start it ("marked for
  // removal and cannot be started") and a restart is a stop and a start; only Remove helps.
  { action: 'restart', command: 'aicli.restartWorkspace', title: 'Restart', states: ['running', 'exited', 'paused', 'restarting', 'created'] },
  { action: 'pause', command: 'aicli.pauseWorkspace', title: 'Pause', states: ['running'] },
  { action: 'unpause', command: 'aicli.unpauseWorkspace', title: 'Unpause', states: ['paused'] },
  { action: 'remove', command: 'aicli.removeWorkspace', title: 'Remove', states: workspaceStates },
];

export function actionRow(action: WorkspaceAction): ActionRow {
  const row = workspaceActions.find((candidate) => candidate.action === action);
  if (!row) throw new Error(`no row for ${action} in the state → actions table`);
  return row;
}

export const actionFits = (action: WorkspaceAction, workspace: Pick<Workspace, 'state'>): boolean => actionRow(action).states.includes(workspace.state);

/**
 * A selection split into the workspaces the action fits and the ones it skips: a multi-selection
 * made on one row's menu may hold rows in other states, and acting on those only fails.
 */
export function splitByAction<T extends Pick<Workspace, 'state'>>(action: WorkspaceAction, workspaces: readonly T[]): { fitting: T[]; skipped: T[] } {
  const fitting = workspaces.filter((workspace) => actionFits(action, workspace));
  return { fitting, skipped: workspaces.filter((workspace) => !fitting.includes(workspace)) };
}

/** What to tell the user about the skipped ones, e.g. "Pause skipped b (exited): it applies to running workspaces." */
export function skippedNote(action: WorkspaceAction, skipped: readonly Pick<Workspace, 'name' | 'state'>[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const row = actionRow(action);
  const states = row.states.length > 1 ? `${row.states.slice(0, -1).join(', ')} or ${row.states[row.states.length - 1]}` : row.states.join('');
  return `${row.title} skipped ${skipped.map((ws) => `${ws.name} (${ws.state})`).join(', ')}: it applies to ${states} workspaces.`;
}
