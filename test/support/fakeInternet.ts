// Listeners for egress tests: one on the host (0.0.0.0) and a "fake internet" host in a
// network namespace of our own on 198.18.0.0/15 (benchmarking space), reached through the
// engine's NAT like any outside address. Nothing leaves the machine.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { createConnection } from 'node:net';

/** A TCP server that greets every connection with `greeting` and, for bulk tests, streams `bulkBytes`. */
const listenerScript = `
import socket, sys, threading
host, port, greeting, bulk = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode() + b"\\n", int(sys.argv[4])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((host, port)); s.listen(64)
print("listening", flush=True)
def serve(c):
    try:
        if bulk:
            chunk = b"x" * 65536
            left = bulk
            while left > 0:
                c.sendall(chunk[:min(left, 65536)]); left -= 65536
        else:
            c.sendall(greeting)
    finally:
        c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
`;

export interface Listener {
  host: string;
  port: number;
  stop(): void;
}

function startListener(prefix: string[], host: string, port: number, greeting: string, bulkBytes = 0): Promise<Listener> {
  const [command, ...args] = [...prefix, 'python3', '-c', listenerScript, host, String(port), greeting, String(bulkBytes)];
  const child: ChildProcess = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`listener on ${host}:${port} exited (${code}): ${stderr}`)));
    child.stdout!.once('data', () => resolve({ host, port, stop: () => child.kill('SIGKILL') }));
  });
}

/** A listener on every host address, as a dev server or database started by the user would be. */
export function startHostListener(port: number, greeting = 'host-service'): Promise<Listener> {
  return startListener([], '0.0.0.0', port, greeting);
}

/** The host's IPv4 addresses other than loopback (a box's loopback is its own). */
export function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address?.family === 'IPv4' && !address.internal)
    .map((address) => address!.address);
}

/** What a TCP client on the host reads from host:port (the positive control). */
export function readFromHost(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text.trim());
    });
    socket.on('error', () => undefined);
  });
}

export interface FakeInternet {
  /** The outside host's address, e.g. 198.19.7.2. */
  address: string;
  /** Starts a listener on the fake host. */
  listen(port: number, greeting: string, bulkBytes?: number): Promise<Listener>;
  remove(): void;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A network namespace with a veth to the host on 198.19.<n>.0/30 (the upper half of the
 * benchmarking range; the remote test engine takes its /30 from 198.18.0.0/16); the host routes to it.
 */
export function createFakeInternet(tag: number): FakeInternet {
  const n = (tag % 250) + 1;
  const namespace = `aicli-fake-${n}`;
  const hostEnd = `afk${n}h`;
  const farEnd = `afk${n}f`;
  const [hostAddress, address] = [`198.19.${n}.1`, `198.19.${n}.2`];
  const listeners: Listener[] = [];
  const remove = (): void => {
    listeners.forEach((listener) => listener.stop());
    for (const [command, args] of [
      ['ip', ['link', 'del', hostEnd]],
      ['ip', ['netns', 'del', namespace]],
    ] as const) {
      try {
        run(command, [...args]);
      } catch {
        // Already gone.
      }
    }
  };
  remove();
  run('ip', ['netns', 'add', namespace]);
  run('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', farEnd]);
  run('ip', ['link', 'set', farEnd, 'netns', namespace]);
  run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostEnd]);
  run('ip', ['link', 'set', hostEnd, 'up']);
  const inside = (...args: string[]): void => run('ip', ['netns', 'exec', namespace, ...args]);
  inside('ip', 'addr', 'add', `${address}/30`, 'dev', farEnd);
  inside('ip', 'link', 'set', farEnd, 'up');
  inside('ip', 'link', 'set', 'lo', 'up');
  inside('ip', 'route', 'add', 'default', 'via', hostAddress);
  return {
    address,
    async listen(port, greeting, bulkBytes) {
      const listener = await startListener(['ip', 'netns', 'exec', namespace], address, port, greeting, bulkBytes);
      listeners.push(listener);
      return listener;
    },
    remove,
  };
}
