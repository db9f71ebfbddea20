import { homedir } from 'node:os';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { EngineConnection } from '../../src/engine/connection';
import { defaultEngineSettings, EngineTarget, resolveEngineTarget } from '../../src/engine/target';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const baseImage = 'aicli/base:latest';
/**
 * Every resource a test creates carries these labels, so a sweep can remove it even after a
 * failure; the run id keeps two test runs sharing one engine from sweeping each other's.
 */
export const testRunId = `${process.pid}-${Date.now().toString(36)}`;
export const testLabel = { 'aicli.test': 'true', 'aicli.test.run': testRunId };

export function targetFor(host?: string): EngineTarget {
  return resolveEngineTarget({ ...defaultEngineSettings, host: host ?? '' }, process.env, homedir());
}

export function connect(host?: string): Promise<EngineConnection> {
  return EngineConnection.connect(targetFor(host));
}

/** Removes every container, network and volume this test run made. */
export async function sweepTestResources(docker: Docker): Promise<void> {
  const filters = JSON.stringify({ label: [`aicli.test.run=${testRunId}`] });
  for (const info of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
  }
  for (const info of await docker.listNetworks({ filters })) {
    await docker.getNetwork(info.Id).remove().catch(() => undefined);
  }
  const volumes = await docker.listVolumes({ filters });
  for (const info of volumes.Volumes ?? []) {
    await docker.getVolume(info.Name).remove().catch(() => undefined);
  }
}

export interface ThrowawayEngine {
  host: string;
  dataRoot: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// tsc turns import() into require() under CommonJS, which cannot load the ESM script.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

/** A second private dockerd that a test may stop and restart without disturbing the main one. */
export async function startThrowawayEngine(name: string): Promise<ThrowawayEngine> {
  const module = await importEsm(pathToFileURL(join(repoRoot, 'scripts', 'engine.mjs')).href);
  const start = module.startThrowawayEngine as (name: string) => Promise<ThrowawayEngine>;
  return start(name);
}

/** Stops a throwaway engine and deletes its folder (data root, socket, logs). */
export async function discardThrowawayEngine(engine: ThrowawayEngine | undefined): Promise<void> {
  if (!engine) return;
  await engine.stop();
  rmSync(dirname(engine.dataRoot), { recursive: true, force: true });
}

export function waitFor<T>(what: string, timeoutMs: number, subscribe: (resolve: (value: T) => void) => { dispose(): void }): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    let subscription: { dispose(): void } | undefined;
    const timer = setTimeout(() => {
      subscription?.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    subscription = subscribe((value) => {
      clearTimeout(timer);
      subscription?.dispose();
      resolvePromise(value);
    });
  });
}
