import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { EngineConnection } from '../../src/engine/connection';
import { defaultEngineSettings, EngineTarget, resolveEngineTarget } from '../../src/engine/target';
import { defaultPortPolicy } from '../../src/isolation/ports';
import { WorkspacePolicy } from '../../src/workspace/request';
import { WorkspaceService } from '../../src/workspace/service';

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

/** Removes every container, network and volume a test run made (this one by default). */
export async function sweepTestResources(docker: Docker, runId = testRunId): Promise<void> {
  const filters = JSON.stringify({ label: [`aicli.test.run=${runId}`] });
  for (const info of await docker.listContainers({ all: true, filters })) {
    await docker
      .getContainer(info.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const info of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(info.Id)
      .remove()
      .catch(() => undefined);
  }
  const volumes = await docker.listVolumes({ filters });
  for (const info of volumes.Volumes ?? []) {
    await docker
      .getVolume(info.Name)
      .remove()
      .catch(() => undefined);
  }
}

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

/** A second private dockerd that a test may stop and restart without disturbing the main one. */
export async function startThrowawayEngine(name: string, options: { extraArgs?: string[] } = {}): Promise<ThrowawayEngine> {
  const module = await importEsm(pathToFileURL(join(repoRoot, 'scripts', 'engine.mjs')).href);
  const start = module.startThrowawayEngine as (name: string, options: { extraArgs?: string[] }) => Promise<ThrowawayEngine>;
  return start(name, options);
}

/** Builds the offline base image on another engine (a throwaway one). */
export async function buildBaseImageOn(host: string): Promise<void> {
  const module = await importEsm(pathToFileURL(join(repoRoot, 'scripts', 'engine.mjs')).href);
  const build = module.buildBaseImage as (host: string, options: { log: (line: string) => void }) => Promise<unknown>;
  await build(host, { log: () => {} });
}

/** Stops a throwaway engine and deletes its folder (data root, socket, logs). */
export async function discardThrowawayEngine(engine: ThrowawayEngine | undefined): Promise<void> {
  if (!engine) return;
  await engine.stop();
  rmSync(dirname(engine.dataRoot), { recursive: true, force: true });
  rmSync(engine.runDir, { recursive: true, force: true });
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

/** A WorkspaceService on the test engine whose creations carry this run's test labels. */
export function testWorkspaceService(overrides: Partial<WorkspacePolicy> = {}): WorkspaceService {
  let connection: Promise<EngineConnection> | undefined;
  return new WorkspaceService(
    () => (connection ??= connect()),
    () => ({
      defaultImage: baseImage,
      defaultLevel: 'standard',
      resources: {},
      ports: defaultPortPolicy,
      mountEngineSocket: false,
      home: homedir(),
      labels: testLabel,
      ...overrides,
    }),
  );
}

/** A fresh project folder with a file in it; removed by the caller. */
export function makeProjectFolder(prefix = 'aicli-proj-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(folder, 'README.md'), '# test project\n');
  return folder;
}

/** Counts what this run has on the engine, to prove a failed create left nothing behind. */
export async function countTestResources(docker: Docker): Promise<{ containers: number; networks: number }> {
  const filters = JSON.stringify({ label: [`aicli.test.run=${testRunId}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}

/** Runs a command in a workspace and returns its exit code and both outputs. */
export async function execIn(service: WorkspaceService, name: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await service.exec(name, command, { stdout: sink((t) => (stdout += t)), stderr: sink((t) => (stderr += t)) });
  return { code, stdout, stderr };
}

/** What most integration suites share: a service and connection on the test engine, project folders, a sweep. */
export interface WorkspaceFixture {
  readonly service: WorkspaceService;
  /** Available from the suite's first test on. */
  readonly connection: EngineConnection;
  /** A new project folder, removed after the suite. */
  folder(prefix?: string): string;
}

/** Call inside describe(): registers the suite's before/after hooks. */
export function workspaceFixture(): WorkspaceFixture {
  const service = testWorkspaceService();
  const folders: string[] = [];
  let connection: EngineConnection | undefined;
  before(async () => {
    connection = await connect();
  });
  after(async () => {
    if (connection) await sweepTestResources(connection.docker);
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });
  return {
    service,
    get connection(): EngineConnection {
      if (!connection) throw new Error('the fixture connects in before(); use it inside tests');
      return connection;
    },
    folder(prefix?: string): string {
      const folder = makeProjectFolder(prefix);
      folders.push(folder);
      return folder;
    },
  };
}
