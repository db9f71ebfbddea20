// Shared by the extension-host tests: the live API, this run's labels and a sweep.
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';

export const EXTENSION_ID = 'aicli.aicli-workspaces';
export const testRunId = process.env.AICLI_TEST_RUN ?? `host-${process.pid}`;
export const testLabels = { 'aicli.test': 'true', 'aicli.test.run': testRunId };

export async function activeApi(): Promise<AicliApi> {
  const extension = vscode.extensions.getExtension<AicliApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** Tags everything the extension creates during the tests, so the sweep finds it. */
export async function labelCreations(): Promise<void> {
  await vscode.workspace.getConfiguration('aicli').update('workspace.labels', testLabels, vscode.ConfigurationTarget.Global);
}

export async function sweep(api: AicliApi): Promise<void> {
  const connection = await api.engine.connection();
  const filters = JSON.stringify({ label: [`aicli.test.run=${testRunId}`] });
  for (const row of await connection.docker.listContainers({ all: true, filters })) {
    await connection.docker
      .getContainer(row.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const row of await connection.docker.listNetworks({ filters })) {
    await connection.docker
      .getNetwork(row.Id)
      .remove()
      .catch(() => undefined);
  }
}

export function projectFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'aicli-e2e-'));
  writeFileSync(join(folder, 'README.md'), '# e2e project\n');
  return folder;
}

/** Resolves when `check` holds, re-checking on every tree change; rejects after timeoutMs. */
export function untilTree<T>(api: AicliApi, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (value: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    };
    const attempt = (): void => {
      void check().then(
        (value) => value !== undefined && finish(value),
        () => undefined,
      );
    };
    const subscription = api.tree.onDidChangeTreeData(attempt);
    const timer = setTimeout(() => {
      done = true;
      subscription.dispose();
      reject(new Error(`tree did not reach the expected state within ${timeoutMs} ms`));
    }, timeoutMs);
    attempt();
  });
}

/** Resolves when `check` returns a value, re-checking every 50 ms; rejects after timeoutMs. */
export function until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const attempt = (): void => {
      const value = check();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(attempt, 50);
    };
    attempt();
  });
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
