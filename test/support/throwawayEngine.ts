// A second private dockerd (scripts/engine.mjs) that a test may stop and restart without
// disturbing the test engine. Nothing here imports the project: the extension-host tests use it too.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths';

export interface ThrowawayEngine {
  host: string;
  dataRoot: string;
  /** Socket and exec root; under /tmp when the cache path would make the socket path too long. */
  runDir: string;
  /** dockerd's pid (it runs in a network namespace of its own); null while stopped. */
  pid(): number | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// tsc turns import() into require() under CommonJS, which cannot load the ESM script.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;
const engineScript = (): Promise<Record<string, unknown>> => importEsm(pathToFileURL(join(repoRoot, 'scripts', 'engine.mjs')).href);

export async function startThrowawayEngine(name: string, options: { extraArgs?: string[] } = {}): Promise<ThrowawayEngine> {
  const start = (await engineScript()).startThrowawayEngine as (name: string, options: { extraArgs?: string[] }) => Promise<ThrowawayEngine>;
  return start(name, options);
}

/** Builds the offline base image on another engine (a throwaway one). */
export async function buildBaseImageOn(host: string): Promise<void> {
  const build = (await engineScript()).buildBaseImage as (host: string, options: { log: (line: string) => void }) => Promise<unknown>;
  await build(host, { log: () => {} });
}

/** Stops a throwaway engine and deletes its folder (data root, socket, logs). */
export async function discardThrowawayEngine(engine: ThrowawayEngine | undefined): Promise<void> {
  if (!engine) return;
  await engine.stop();
  rmSync(dirname(engine.dataRoot), { recursive: true, force: true });
  rmSync(engine.runDir, { recursive: true, force: true });
}
