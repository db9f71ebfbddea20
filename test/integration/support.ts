// What the integration suites share beyond test/support: this run's id and labels, a service
// whose creations carry them, exec with captured output, and the usual suite fixture.
import { homedir } from 'node:os';
import Docker from 'dockerode';
import { EngineConnection } from '../../src/engine/connection';
import { defaultPortPolicy } from '../../src/isolation/ports';
import { WorkspacePolicy } from '../../src/workspace/request';
import { WorkspaceService } from '../../src/workspace/service';
import { baseImage, connect } from '../support/engine';
import { makeProjectFolder, removeFolder } from '../support/folders';
import { processRunId, runLabels } from '../support/labels';
import { countRun, sweepRun } from '../support/sweep';
import { textSink } from '../support/streams';

/** The integration run: every resource a test creates carries testLabel, so sweepRun(docker, testRunId) finds it. */
export const testRunId = processRunId();
export const testLabel = runLabels(testRunId);

/**
 * A WorkspaceService whose creations carry this run's test labels: on the test engine (one
 * connection, made at first use) or on the engine `connection` gives.
 */
export function testWorkspaceService(overrides: Partial<WorkspacePolicy> = {}, connection?: () => Promise<EngineConnection>): WorkspaceService {
  let testEngine: Promise<EngineConnection> | undefined;
  return new WorkspaceService(connection ?? (() => (testEngine ??= connect())), () => ({
    defaultImage: baseImage,
    defaultLevel: 'standard',
    resources: {},
    ports: defaultPortPolicy,
    mountEngineSocket: false,
    home: homedir(),
    labels: testLabel,
    ...overrides,
  }));
}

/** Counts what this run has on the engine, to prove a failed create left nothing behind. */
export function countTestResources(docker: Docker): Promise<{ containers: number; networks: number }> {
  return countRun(docker, testRunId);
}

/** Runs a command in a workspace and returns its exit code and both outputs. */
export async function execIn(service: WorkspaceService, name: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await service.exec(name, command, { stdout: textSink((t) => (stdout += t)), stderr: textSink((t) => (stderr += t)) });
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
    if (connection) await sweepRun(connection.docker, testRunId);
    folders.forEach(removeFolder);
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
