// Shared by the extension-host tests: the live API, this run's labels and a sweep, and waits on
// the tree. Run labels, folders, sweeps and plain waits come from test/support, as everywhere.
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import { defaultEngineName } from '../../../src/engine/engines';
import type { UiEngineScope } from '../../../src/ui/scopes';
import { makeProjectFolder } from '../../support/folders';
import { inheritedRunId, runLabels } from '../../support/labels';
import { sweepRun } from '../../support/sweep';
import { poll, untilEvent } from '../../support/waits';

export const EXTENSION_ID = 'aicli.aicli-workspaces';
export const testRunId = inheritedRunId('host');
export const testLabels = runLabels(testRunId);

/** The default engine's scope: the tests' workspaces are made there. */
export function defaultScope(api: AicliApi): UiEngineScope {
  return api.scopes.byName(defaultEngineName);
}

export async function activeApi(): Promise<AicliApi> {
  const extension = vscode.extensions.getExtension<AicliApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** Tags everything the extension creates during the tests, so the sweep finds it. */
export async function labelCreations(): Promise<void> {
  await vscode.workspace.getConfiguration('aicli').update('workspace.labels', testLabels, vscode.ConfigurationTarget.Global);
}

/** Removes this run's containers, networks and volumes (review views) from the default engine. */
export async function sweep(api: AicliApi): Promise<void> {
  const connection = await defaultScope(api).engine.connection();
  await sweepRun(connection.docker, testRunId, ['containers', 'networks', 'volumes']);
}

export function projectFolder(): string {
  return makeProjectFolder('aicli-e2e-', '# e2e project\n');
}

/** Resolves when `check` holds, re-checking on every tree change; rejects after timeoutMs. */
export function untilTree<T>(api: AicliApi, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  return untilEvent('the tree to reach the expected state', timeoutMs, (listener) => api.tree.onDidChangeTreeData(listener), check);
}

/** Resolves when `check` returns a value, re-checking every 50 ms; rejects after timeoutMs. */
export function until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  return poll(what, timeoutMs, check);
}

/** Resolves once the tree has fired no change for `quietMs` (rejects after `timeoutMs`). */
export function treeQuiet(api: AicliApi, quietMs: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer = setTimeout(done, quietMs);
    const deadline = setTimeout(() => {
      listener.dispose();
      clearTimeout(timer);
      reject(new Error(`the tree kept changing for ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = api.tree.onDidChangeTreeData(() => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    });
    function done(): void {
      listener.dispose();
      clearTimeout(deadline);
      resolve();
    }
  });
}
