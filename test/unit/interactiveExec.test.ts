import * as assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { Disposable } from '../../src/engine/emitter';
import { DockerEvent } from '../../src/engine/events';
import { describeSessionEnd, ExecBackend, InteractiveExecSession, SessionExit, SessionState, TerminalSize } from '../../src/engine/interactiveExec';

/** Stands in for the hijacked socket: records what the session writes, lets the test push output. */
class FakeTtyStream extends Duplex {
  readonly written: Buffer[] = [];
  constructor() {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written.push(Buffer.from(chunk));
    done();
  }
  get input(): Buffer {
    return Buffer.concat(this.written);
  }
}

/** An engine whose start, outcome and resizes the test controls and observes. */
class FakeBackend implements ExecBackend {
  readonly stream = new FakeTtyStream();
  readonly resizes: TerminalSize[] = [];
  terminated = 0;
  outcomeCalls = 0;
  exit: SessionExit = { code: 0 };
  startError: Error | undefined;
  private releaseStart: () => void = () => {};
  private readonly started = new Promise<void>((resolve) => (this.releaseStart = resolve));
  /** While set, resize calls wait for it: a resize "in flight". */
  resizeGate: Promise<void> | undefined;

  letStart(): void {
    this.releaseStart();
  }
  async start(): Promise<Duplex> {
    await this.started;
    if (this.startError) throw this.startError;
    return this.stream;
  }
  async resize(size: TerminalSize): Promise<void> {
    this.resizes.push(size);
    await this.resizeGate;
  }
  async outcome(): Promise<SessionExit> {
    this.outcomeCalls++;
    return this.exit;
  }
  async terminate(): Promise<void> {
    this.terminated++;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function running(
  backend = new FakeBackend(),
  size: TerminalSize = { rows: 24, cols: 80 },
): Promise<{ backend: FakeBackend; session: InteractiveExecSession }> {
  const session = new InteractiveExecSession(backend, size);
  backend.letStart();
  await tick();
  assert.equal(session.state, 'running');
  return { backend, session };
}

describe('InteractiveExecSession', () => {
  it('goes starting → running → exited and reports the exit code from the backend', async () => {
    const backend = new FakeBackend();
    backend.exit = { code: 3 };
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 });
    const states: SessionState[] = [];
    session.onDidChangeState((state) => states.push(state));
    const exits: [number | undefined, unknown][] = [];
    session.onExit((code, reason) => exits.push([code, reason]));
    assert.equal(session.state, 'starting');
    backend.letStart();
    await tick();
    backend.stream.push(null);
    const exit = await session.exited;
    assert.deepEqual(states, ['running', 'exited']);
    assert.deepEqual(exit, { code: 3 });
    assert.deepEqual(exits, [[3, undefined]]);
    assert.equal(backend.outcomeCalls, 1, 'the exit code is asked for once, after the stream ended');
    assert.equal(backend.terminated, 0, 'a process that exited on its own needs no ending');
  });

  it('tells a late subscriber the exit at once', async () => {
    const { backend, session } = await running();
    backend.exit = { code: 7 };
    backend.stream.push(null);
    await session.exited;
    const code = await new Promise<number | undefined>((resolve) => session.onExit((c) => resolve(c)));
    assert.equal(code, 7);
  });

  it('passes output bytes through untouched', async () => {
    const { backend, session } = await running();
    const seen: Buffer[] = [];
    session.onData((chunk) => seen.push(chunk));
    const bytes = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xe2, 0x82]);
    backend.stream.push(bytes);
    backend.stream.push(Buffer.from([0xac, 0x0d, 0x0a]));
    await tick();
    assert.deepEqual(Buffer.concat(seen), Buffer.concat([bytes, Buffer.from([0xac, 0x0d, 0x0a])]));
  });

  it('queues input typed while starting and sends it first, in order', async () => {
    const backend = new FakeBackend();
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 });
    session.write('ec');
    session.write(Buffer.from('ho '));
    assert.equal(backend.stream.written.length, 0, 'nothing may be written before the exec started');
    backend.letStart();
    await tick();
    session.write('hi\r');
    await tick();
    assert.equal(backend.stream.input.toString(), 'echo hi\r');
  });

  it('sends typed-ahead input only after the initial size is applied, and keeps later input behind it', async () => {
    const backend = new FakeBackend();
    let release: () => void = () => {};
    backend.resizeGate = new Promise((resolve) => (release = resolve));
    const session = new InteractiveExecSession(backend, { rows: 30, cols: 90 });
    session.write('stty size\r');
    backend.letStart();
    await tick();
    assert.equal(session.state, 'running');
    assert.deepEqual(backend.resizes, [{ rows: 30, cols: 90 }]);
    session.write('ls\r');
    assert.equal(backend.stream.written.length, 0, 'nothing before the size is in place');
    release();
    await tick();
    assert.equal(backend.stream.input.toString(), 'stty size\rls\r');
  });

  it('passes control bytes and escape sequences byte-exact (Ctrl+C, arrows, paste)', async () => {
    const { backend, session } = await running();
    session.write('\x03');
    session.write('\x1b[A\x1b[D');
    session.write('\x1b[200~pasted\ttext\x1b[201~');
    await tick();
    assert.deepEqual(backend.stream.input, Buffer.from('\x03\x1b[A\x1b[D\x1b[200~pasted\ttext\x1b[201~', 'latin1'));
    assert.equal(backend.stream.written[0]?.[0], 0x03);
  });

  it('keeps UTF-8 exact when a character is split across chunks', async () => {
    const { backend, session } = await running();
    const text = Buffer.from('grüße €💡 ok', 'utf8');
    // Buffers split inside multi-byte sequences (ü: 2 bytes, €: 3, 💡: 4) arrive unchanged.
    for (const [from, to] of [
      [0, 3],
      [3, 10],
      [10, 12],
      [12, 15],
      [15, text.length],
    ] as const)
      session.write(text.subarray(from, to));
    // A string write that ends in the first half of a surrogate pair is joined with the next.
    const emoji = '💡';
    session.write(`a${emoji[0]}`);
    session.write(`${emoji[1]}b`);
    await tick();
    assert.deepEqual(backend.stream.input, Buffer.concat([text, Buffer.from('a💡b', 'utf8')]));
    assert.ok(!backend.stream.input.includes(Buffer.from('\ufffd', 'utf8')), 'no replacement character');
  });

  it('applies only the latest size asked for before start, and only after start', async () => {
    const backend = new FakeBackend();
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 });
    session.resize(30, 100);
    session.resize(40, 120);
    await tick();
    assert.deepEqual(backend.resizes, [], 'no resize before the exec started');
    backend.letStart();
    await tick();
    assert.deepEqual(backend.resizes, [{ rows: 40, cols: 120 }]);
    session.resize(0, 10);
    await tick();
    assert.equal(backend.resizes.length, 1, 'a zero size is ignored');
  });

  it('applies the initial size after start when nothing else was asked for', async () => {
    const { backend } = await running(new FakeBackend(), { rows: 33, cols: 111 });
    assert.deepEqual(backend.resizes, [{ rows: 33, cols: 111 }]);
  });

  it('never overlaps resizes: while one is in flight only the latest of the next ones is sent', async () => {
    const { backend, session } = await running();
    let release: () => void = () => {};
    backend.resizeGate = new Promise((resolve) => (release = resolve));
    backend.resizes.length = 0;
    session.resize(10, 10);
    session.resize(11, 11);
    session.resize(12, 12);
    await tick();
    assert.deepEqual(backend.resizes, [{ rows: 10, cols: 10 }]);
    backend.resizeGate = undefined;
    release();
    await tick();
    await tick();
    assert.deepEqual(backend.resizes, [
      { rows: 10, cols: 10 },
      { rows: 12, cols: 12 },
    ]);
  });

  it('close() destroys the stream, ends the process and reports "closed"; later input is dropped', async () => {
    const { backend, session } = await running();
    await session.close();
    assert.equal(backend.stream.destroyed, true);
    assert.equal(backend.terminated, 1);
    assert.equal(backend.outcomeCalls, 0);
    const exit = await session.exited;
    assert.equal(exit.reason?.kind, 'closed');
    assert.equal(session.state, 'exited');
    session.write('late');
    session.resize(50, 50);
    assert.equal(backend.stream.written.length, 0);
  });

  it('close() while starting ends the exec as soon as it exists', async () => {
    const backend = new FakeBackend();
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 });
    session.write('never sent');
    const closing = session.close();
    backend.letStart();
    await closing;
    assert.equal(backend.stream.destroyed, true);
    assert.equal(backend.terminated, 1);
    assert.equal(backend.stream.written.length, 0);
    assert.equal((await session.exited).reason?.kind, 'closed');
  });

  it('a failed start ends the session with the reason', async () => {
    const backend = new FakeBackend();
    backend.startError = new Error('container abc is not running');
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 });
    backend.letStart();
    const exit = await session.exited;
    assert.deepEqual(exit, { code: undefined, reason: { kind: 'startFailed', message: 'container abc is not running' } });
  });

  it('a die event for its container ends a stream that lingers past the grace period', async () => {
    const backend = new FakeBackend();
    backend.exit = { code: 137, reason: { kind: 'workspaceStopped', message: 'the container exited with code 129' } };
    let deliver: (event: DockerEvent) => void = () => {};
    const onEvent = (listener: (event: DockerEvent) => void): Disposable => {
      deliver = listener;
      return { dispose: () => (deliver = () => {}) };
    };
    const session = new InteractiveExecSession(backend, { rows: 24, cols: 80 }, { containerId: 'c1', onEvent, graceMs: 20 });
    backend.letStart();
    await tick();
    const event = (id: string, Action: string): DockerEvent => ({ Type: 'container', Action, Actor: { ID: id, Attributes: {} }, time: 0, timeNano: 0 });
    deliver(event('other', 'die'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(session.state, 'running', 'another container dying changes nothing');
    deliver(event('c1', 'die'));
    const started = Date.now();
    const exit = await session.exited;
    assert.ok(Date.now() - started < 1000);
    assert.equal(backend.stream.destroyed, true);
    assert.equal(exit.reason?.kind, 'workspaceStopped');
    assert.equal(exit.code, 137);
  });
});

describe('describeSessionEnd', () => {
  it('words the last line of a terminal', () => {
    assert.equal(describeSessionEnd(3), '[process exited with code 3]');
    assert.equal(describeSessionEnd(undefined), '[process ended]');
    assert.equal(
      describeSessionEnd(137, { kind: 'workspaceStopped', message: 'the container exited with code 129' }),
      '[workspace stopped: the container exited with code 129]',
    );
    assert.match(
      describeSessionEnd(undefined, { kind: 'engineLost', message: 'The Docker engine at unix:///x is not running.' }),
      /^\[Docker engine lost: .*not running\.\]$/,
    );
  });
});
