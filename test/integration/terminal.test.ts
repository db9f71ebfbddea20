import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectSocket, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { InteractiveExecSession, openInteractiveExec, resolveShell, SessionExit } from '../../src/engine/interactiveExec';
import { endMarkedProcesses, newSessionMarker } from '../../src/engine/sessionMarker';
import { Workspace } from '../../src/workspace/model';
import { WorkspaceService } from '../../src/workspace/service';
import { baseImage, connect, targetFor } from '../support/engine';
import { makeProjectFolder } from '../support/folders';
import { sweepRun } from '../support/sweep';
import { execIn, testLabel, testRunId, testWorkspaceService } from './support';

/** Everything the session printed so far, and a way to wait for a pattern in it. */
function recorder(session: InteractiveExecSession): { text: () => string; waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string> } {
  let text = '';
  const waiters = new Set<() => void>();
  session.onData((chunk) => {
    text += chunk.toString('utf8');
    waiters.forEach((check) => check());
  });
  return {
    text: () => text,
    waitFor: (pattern, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output so far: ${JSON.stringify(text.slice(-400))}`));
        }, timeoutMs);
        function check(): void {
          const match = pattern.exec(text);
          if (!match) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match[0]);
        }
        waiters.add(check);
        check();
      }),
  };
}

/** busybox ash's prompt for root in /workspace (it is followed by terminal queries such as ESC[6n). */
const rootPrompt = /\/workspace # /;

function exitWithin(session: InteractiveExecSession, timeoutMs: number): Promise<SessionExit> {
  return Promise.race([
    session.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the session did not end within ${timeoutMs} ms (state ${session.state})`)), timeoutMs),
    ),
  ]);
}

describe('interactive terminal sessions on the real engine', function () {
  this.timeout(60_000);
  let service: WorkspaceService;
  let connection: EngineConnection;
  const folders: string[] = [];
  const sessions: InteractiveExecSession[] = [];

  before(async () => {
    service = testWorkspaceService();
    connection = await connect();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
    folders.forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  async function workspace(name: string, level: 'standard' | 'strict' | 'sandboxed' = 'standard'): Promise<Workspace> {
    const folder = makeProjectFolder();
    folders.push(folder);
    const created = await service.create({ folder, name: `${name}-${process.pid}`, level });
    assert.equal(created.workspace.state, 'running');
    return created.workspace;
  }

  function shell(ws: Workspace, extra: { rows?: number; cols?: number; onEvent?: Engine['onEvent'] } = {}): InteractiveExecSession {
    const session = openInteractiveExec(connection, ws.containerId, {
      cmd: ['/bin/sh'],
      rows: extra.rows ?? 24,
      cols: extra.cols ?? 80,
      onEvent: extra.onEvent,
    });
    sessions.push(session);
    return session;
  }

  let shared: Workspace;
  before(async () => {
    shared = await workspace('term');
  });

  it('echo round trip, with /workspace as the working directory', async () => {
    const session = shell(shared);
    const out = recorder(session);
    await out.waitFor(rootPrompt);
    session.write('echo hello-$((6*7)); pwd\r');
    await out.waitFor(/hello-42\r\n\/workspace\r\n/);
  });

  it('passes exit code 3 through from exec inspect', async () => {
    const session = shell(shared);
    session.write('exit 3\r');
    const exit = await exitWithin(session, 10_000);
    assert.deepEqual(exit, { code: 3 });
    assert.equal(session.state, 'exited');
  });

  it('starts at the size it was opened with and `stty size` follows a resize', async () => {
    const session = shell(shared, { rows: 31, cols: 97 });
    const out = recorder(session);
    session.write('stty size\r');
    await out.waitFor(/\n31 97\r\n/);
    session.resize(42, 123);
    // The resize goes out asynchronously; give the engine a moment before asking again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    session.write('stty size\r');
    await out.waitFor(/\n42 123\r\n/);
  });

  it('passes UTF-8 and Ctrl+C through: a running command is interrupted', async () => {
    const session = shell(shared);
    const out = recorder(session);
    session.write(Buffer.from('echo grü', 'utf8').subarray(0, 8)); // ends inside "ü"
    session.write(Buffer.from('ü€\r', 'utf8').subarray(1));
    await out.waitFor(/\ngrü€\r\n/);
    session.write('sleep 30; echo not-interrupted\r');
    await new Promise((resolve) => setTimeout(resolve, 300));
    session.write(Buffer.from([0x03]));
    session.write('echo after-$((1+1))\r');
    await out.waitFor(/after-2/, 5000);
    assert.doesNotMatch(out.text(), /\nnot-interrupted\r\n/, 'the list after sleep was cut short');
  });

  it('close() ends the shell and what runs in its foreground: nothing lingers', async () => {
    const shells = async (): Promise<number> => ((await execIn(service, shared.name, ['ps', '-o', 'args'])).stdout.match(/^\/bin\/sh$/gm) ?? []).length;
    const shellsBefore = await shells();
    const session = shell(shared);
    const out = recorder(session);
    session.write('sleep 4242\r');
    await out.waitFor(/sleep 4242\r\n/);
    assert.match((await execIn(service, shared.name, ['ps'])).stdout, /sleep 4242/);
    const started = Date.now();
    await session.close();
    assert.ok(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
    assert.equal((await session.exited).reason?.kind, 'closed');
    assert.doesNotMatch((await execIn(service, shared.name, ['ps'])).stdout, /sleep 4242/);
    assert.equal(await shells(), shellsBefore, "the session's shell is gone");
  });

  it('strict workspace (uid 1000): resolveShell finds /bin/sh and close() still ends the session', async () => {
    const strict = await workspace('term-strict', 'strict');
    assert.equal(await resolveShell(connection, strict.containerId, 'auto'), '/bin/sh');
    const session = shell(strict);
    const out = recorder(session);
    session.write('id -u; sleep 4343\r');
    await out.waitFor(/\n1000\r\n/);
    await session.close();
    assert.doesNotMatch((await execIn(service, strict.name, ['ps'])).stdout, /sleep 4343/);
  });

  it('sandboxed workspace (gVisor): a TTY round trip, a resize, the exit code, and a stop mid-session ends it', async () => {
    const sandboxed = await workspace('term-gvisor', 'sandboxed');
    assert.equal(await resolveShell(connection, sandboxed.containerId, 'auto'), '/bin/sh');
    const first = shell(sandboxed, { rows: 30, cols: 90 });
    const out = recorder(first);
    first.write('uname -r; id -u; stty size\r');
    await out.waitFor(/\n4\.4\.0\r\n1000\r\n30 90\r\n/);
    first.resize(40, 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.write('stty size\r');
    await out.waitFor(/\n40 100\r\n/);
    first.write('exit 5\r');
    assert.deepEqual(await exitWithin(first, 10_000), { code: 5 });
    const engine = new Engine(() => targetFor());
    engine.start();
    try {
      await engine.connection();
      const second = shell(sandboxed, { onEvent: engine.onEvent });
      const running = recorder(second);
      // busybox redraws the line it edits here (it asks for the cursor position): wait for output, not the echo.
      second.write('echo started-$((40+2)); sleep 1000\r');
      await running.waitFor(/\nstarted-42\r\n/);
      const stopped = service.lifecycle(sandboxed.name, 'stop');
      const exit = await exitWithin(second, 15_000);
      await stopped;
      assert.equal(exit.reason?.kind, 'workspaceStopped', JSON.stringify(exit));
    } finally {
      engine.dispose();
    }
  });

  it('resolveShell returns /bin/sh for aicli/base, and a setting other than "auto" as is', async () => {
    assert.equal(await resolveShell(connection, shared.containerId, 'auto'), '/bin/sh');
    assert.equal(await resolveShell(connection, shared.containerId, 'auto', 'nobody'), '/bin/sh', 'nobody has /bin/false: not a shell');
    assert.equal(await resolveShell(connection, shared.containerId, '/bin/ash'), '/bin/ash');
  });

  it('one-shot exec keeps stderr apart from stdout and passes the exit code', async () => {
    const result = await execIn(service, shared.name, ['sh', '-c', 'echo to-out; echo to-err >&2; exit 4']);
    assert.deepEqual(result, { code: 4, stdout: 'to-out\n', stderr: 'to-err\n' });
  });

  it('a cancelled one-shot command (Run Command) is ended in the container, children included', async () => {
    const marker = newSessionMarker();
    const controller = new AbortController();
    const sink = new PassThrough();
    sink.resume();
    const running = service.exec(
      shared.containerId,
      ['sh', '-c', `export ${marker}; sleep 4444; echo never`],
      { stdout: sink, stderr: sink },
      controller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match((await execIn(service, shared.name, ['ps'])).stdout, /sleep 4444/);
    controller.abort();
    await assert.rejects(running, /Cancelled/);
    // The engine only detached: the command still runs until its marked processes are ended.
    assert.match((await execIn(service, shared.name, ['ps'])).stdout, /sleep 4444/);
    await endMarkedProcesses(connection, shared.containerId, marker, undefined, 'TERM');
    assert.doesNotMatch((await execIn(service, shared.name, ['ps'])).stdout, /sleep 4444|export AICLI_SESSION/);
  });

  it('stopping the workspace mid-session ends it with a reason, no hang', async () => {
    const ws = await workspace('term-stop');
    const engine = new Engine(() => targetFor());
    engine.start();
    try {
      await engine.connection();
      const session = shell(ws, { onEvent: engine.onEvent });
      const out = recorder(session);
      session.write('sleep 1000\r');
      await out.waitFor(/sleep 1000\r\n/);
      const stopped = service.lifecycle(ws.name, 'stop');
      const exit = await exitWithin(session, 15_000);
      await stopped;
      assert.equal(exit.reason?.kind, 'workspaceStopped', JSON.stringify(exit));
      assert.match(exit.reason?.message ?? '', /the container exited with code \d+/);
    } finally {
      engine.dispose();
    }
  });

  it('removing the workspace mid-session ends it with "removed"', async () => {
    const ws = await workspace('term-rm');
    const session = shell(ws);
    const out = recorder(session);
    await out.waitFor(rootPrompt);
    await service.remove(ws.name);
    const exit = await exitWithin(session, 15_000);
    assert.equal(exit.reason?.kind, 'workspaceRemoved', JSON.stringify(exit));
  });

  it("a session on a stopped workspace fails to start with the engine's reason", async () => {
    const ws = await workspace('term-down');
    await service.lifecycle(ws.name, 'stop');
    const exit = await exitWithin(shell(ws), 10_000);
    assert.equal(exit.reason?.kind, 'startFailed');
    assert.match(exit.reason?.message ?? '', /not running/i);
  });
});

/**
 * A unix-socket relay in front of the test engine. Shutting it down is what a client sees when
 * its engine vanishes (crash, lost network): open streams end and new calls find no socket.
 */
async function engineRelay(): Promise<{ host: string; cut(): void }> {
  const target = targetFor().spec;
  assert.equal(target.scheme, 'unix', 'the test engine is reached over a unix socket');
  const enginePath = (target as { socketPath: string }).socketPath;
  const dir = mkdtempSync(join(tmpdir(), 'aicli-relay-'));
  const path = join(dir, 'docker.sock');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const engine = connectSocket(enginePath);
    for (const socket of [client, engine]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(engine).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    cut() {
      server.close();
      sockets.forEach((socket) => socket.destroy());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('terminal session when the engine goes away', function () {
  this.timeout(60_000);
  let relay: { host: string; cut(): void } | undefined;
  let connection: EngineConnection | undefined;

  after(async () => {
    relay?.cut();
    if (connection) await sweepRun(connection.docker, testRunId);
  });

  it('ends the session with a clear reason instead of hanging', async () => {
    connection = await connect();
    relay = await engineRelay();
    const relayed = await connect(relay.host);
    const container = await connection.docker.createContainer({ Image: baseImage, Cmd: ['sleep', '600'], Labels: testLabel, HostConfig: { Init: true } });
    await container.start();
    const session = openInteractiveExec(relayed, container.id, { cmd: ['/bin/sh'], rows: 24, cols: 80 });
    const out = recorder(session);
    await out.waitFor(rootPrompt);
    relay.cut();
    const exit = await exitWithin(session, 15_000);
    assert.equal(exit.reason?.kind, 'engineLost', JSON.stringify(exit));
    assert.match(exit.reason?.message ?? '', /Docker engine at .* is not running/);
  });
});
