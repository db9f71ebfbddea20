import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { EngineConnection, minimumApiVersion, compareApiVersions } from '../../src/engine/connection';
import { Engine, EngineNotice } from '../../src/engine/engine';
import { EngineError } from '../../src/engine/errors';
import { DockerEvent } from '../../src/engine/events';
import { baseImage, connect, targetFor } from '../support/engine';
import { cliPath } from '../support/paths';
import { sweepRun } from '../support/sweep';
import { discardThrowawayEngine, startThrowawayEngine, ThrowawayEngine } from '../support/throwawayEngine';
import { waitFor } from '../support/waits';
import { testLabel, testRunId } from './support';

const run = promisify(execFile);

describe('engine connection (real engine)', function () {
  let connection: EngineConnection;

  before(async () => {
    connection = await connect();
  });
  after(async () => {
    if (connection) await sweepRun(connection.docker, testRunId);
  });

  it('pings and negotiates an API version the engine speaks', async () => {
    assert.equal(String(await connection.docker.ping()), 'OK');
    assert.ok(compareApiVersions(connection.apiVersion, minimumApiVersion) >= 0);
    assert.ok(compareApiVersions(connection.apiVersion, connection.engineVersion.ApiVersion) <= 0);
    const version = await connection.docker.version();
    assert.equal(version.Version, connection.engineVersion.Version);
  });

  it('delivers a container start on the shared events stream within 200 ms', async () => {
    const engine = new Engine(() => targetFor());
    engine.start();
    try {
      await engine.connection();
      const container = await connection.docker.createContainer({ Image: baseImage, Cmd: ['sleep', '30'], Labels: testLabel, HostConfig: { Init: true } });
      const started = waitFor<{ event: DockerEvent; receivedAt: number }>('the start event', 5000, (resolve) =>
        engine.onEvent((event) => {
          if (event.Type === 'container' && event.Action === 'start' && event.Actor.ID === container.id) resolve({ event, receivedAt: Date.now() });
        }),
      );
      const before = Date.now();
      await container.start();
      const { event, receivedAt } = await started;
      const latencyMs = receivedAt - event.timeNano / 1e6;
      console.log(`      start event delivered ${latencyMs.toFixed(1)} ms after the engine stamped it (${receivedAt - before} ms after the start call)`);
      assert.ok(latencyMs < 200, `event latency ${latencyMs} ms`);
      await container.remove({ force: true });
    } finally {
      engine.dispose();
    }
  });

  it('the events stream carries only the types the product reads: a network create does not arrive, the container start after it does', async () => {
    const engine = new Engine(() => targetFor());
    engine.start();
    const seen: DockerEvent[] = [];
    const subscription = engine.onEvent((event) => seen.push(event));
    try {
      await engine.connection();
      const network = await connection.docker.createNetwork({ Name: `aicli-test-events-${testRunId}`, Labels: testLabel });
      const container = await connection.docker.createContainer({ Image: baseImage, Cmd: ['true'], Labels: testLabel });
      // The event may arrive before createContainer returns: look at what was seen, then listen.
      const isCreate = (event: DockerEvent): boolean => event.Type === 'container' && event.Actor.ID === container.id;
      await waitFor<void>('the container create event', 5000, (resolve) => {
        if (seen.some(isCreate)) queueMicrotask(resolve);
        return engine.onEvent((event) => isCreate(event) && resolve());
      });
      await Promise.all([container.remove({ force: true }), network.remove()]);
      const window = { since: Math.floor(Date.now() / 1000) - 30, until: Math.floor(Date.now() / 1000) + 1 };
      const raw = (await connection.docker.getEvents(window)) as unknown as NodeJS.ReadableStream;
      const rawText = await new Promise<string>((resolve) => {
        let text = '';
        raw.on('data', (chunk: Buffer) => (text += chunk.toString()));
        raw.on('end', () => resolve(text));
      });
      assert.match(rawText, /"Type":"network"/, 'the engine did send network events');
      assert.deepEqual([...new Set(seen.map((event) => event.Type))].sort(), ['container']);
    } finally {
      subscription.dispose();
      engine.dispose();
    }
  });

  it('doctor reports the engine, cgroups and missing security modules', async () => {
    const { stdout } = await run(process.execPath, [cliPath, 'doctor', '--json']);
    const report = JSON.parse(stdout);
    assert.equal(report.engineVersion, `Docker ${connection.engineVersion.Version}`);
    assert.equal(report.apiVersion, connection.apiVersion);
    assert.match(report.cgroupVersion, /^[12]$/);
    assert.equal(typeof report.storageDriver, 'string');
    assert.equal(report.security.seccomp, true);
    const info = await connection.docker.info();
    const apparmor = (info.SecurityOptions as string[]).some((option) => option.includes('apparmor'));
    assert.equal(report.security.apparmor, apparmor);
    if (!apparmor && !report.security.selinux) assert.ok(report.notes.some((note: string) => /Neither AppArmor nor SELinux/.test(note)));
    const text = await run(process.execPath, [cliPath, 'doctor']);
    assert.match(text.stdout, /^Host\s+unix:\/\//m);
    assert.match(text.stdout, /^AppArmor\s+(yes|no)$/m);
    // The test engine registers gVisor, and its overlay2 on ext4 cannot size a container.
    assert.ok(report.runtimes.includes('runsc'), report.runtimes.join(', '));
    assert.match(text.stdout, /^Runtimes\s+.*runc.*runsc.* \(default runc\)$/m);
    assert.match(text.stdout, /^Disk limit\s+not enforced \(overlay2 on extfs cannot size a container/m);
  });
});

describe('engine going away and coming back (throwaway engine)', function () {
  this.timeout(120_000);
  let throwaway: ThrowawayEngine;

  before(async () => {
    throwaway = await startThrowawayEngine(`reconnect-${process.pid}`);
  });
  after(() => discardThrowawayEngine(throwaway));

  it('reports "not running" clearly when stopped and reconnects the stream when it returns', async () => {
    const engine = new Engine(() => targetFor(throwaway.host), { backoffMs: { initial: 100, max: 500 } });
    const notices: EngineNotice[] = [];
    engine.onNotice((notice) => notices.push(notice));
    engine.start();
    try {
      await engine.connection();
      const lost = waitFor<EngineError>('the engine to be reported unreachable', 20_000, (resolve) =>
        engine.onDidChangeState((state) => {
          if (state.kind === 'unreachable' && state.error.kind === 'notRunning') resolve(state.error);
        }),
      );
      await throwaway.stop();
      const error = await lost;
      assert.match(error.message, new RegExp(`Docker engine at ${throwaway.host.replace(/[/.]/g, '\\$&')}`));
      assert.match(error.suggestion, /Start Docker/);
      await assert.rejects(engine.connection(), (err: unknown) => err instanceof EngineError && err.kind === 'notRunning');

      const cliResult = await run(process.execPath, [cliPath, 'doctor', '--host', throwaway.host]).catch((err: { code: number; stderr: string }) => err);
      assert.equal((cliResult as { code: number }).code, 1);
      assert.match((cliResult as { stderr: string }).stderr, /is not running.*\n.*Start Docker/);

      const back = waitFor<EngineNotice>('the reconnect notice', 30_000, (resolve) =>
        engine.onNotice((notice) => {
          if (notice.kind === 'reconnected') resolve(notice);
        }),
      );
      await throwaway.start();
      await back;
      const live = await engine.connection();
      // An image event (the stream carries container and image events only): an empty image imported.
      const imageEvent = waitFor<DockerEvent>('an image event after the reconnect', 5000, (resolve) =>
        engine.onEvent((event) => {
          if (event.Type === 'image' && event.Action === 'import') resolve(event);
        }),
      );
      const emptyTar = Readable.from([Buffer.alloc(1024)]);
      const imported = (await live.docker.importImage(emptyTar, { repo: 'aicli-test-reconnect', tag: '1' })) as unknown as NodeJS.ReadableStream;
      await new Promise((resolve) => imported.on('end', resolve).resume());
      await imageEvent;
      await live.docker.getImage('aicli-test-reconnect:1').remove();
      assert.deepEqual(
        notices.map((notice) => notice.kind),
        ['connected', 'disconnected', 'reconnected'],
      );
    } finally {
      engine.dispose();
    }
  });
});
