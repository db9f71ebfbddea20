// A real registry for the pull tests: Debian's docker-registry on a loopback port of its own,
// optionally behind a loopback proxy that slows responses down so progress can be seen and a
// pull can be cancelled half-way. Nothing here talks to any address but 127.0.0.1.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { makeFolder } from './folders';
import { answersHttp, freeLoopbackPort } from './net';
import { sleep } from './waits';

export interface LocalRegistry {
  /** host:port to put in front of image names, e.g. 127.0.0.1:40123. */
  address: string;
  stop(): Promise<void>;
}

const registryBinary = '/usr/bin/docker-registry';

function throttlingProxy(targetPort: number, bytesPerSecond: number): Promise<Server> {
  const server = createServer((client: Socket) => {
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      client.write(chunk);
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on('end', () => client.end());
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
    client.on('close', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The one account of a registry started with `auth: true` (the hash is bcrypt of the password, made once with Python's crypt). */
export const registryAccount = { username: 'tester', password: 'aicli-test-secret' };
const registryAccountHtpasswd = 'tester:$2b$10$tydox2VU4hOvkEtpQOe2zuu5yIqavBJEKBkIKOT08Rb9SnoNXCHFS\n';

export async function startLocalRegistry(options: { bytesPerSecond?: number; auth?: boolean } = {}): Promise<LocalRegistry> {
  if (spawnSync(registryBinary, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${registryBinary} is missing: install Debian's docker-registry package (.ci/run and npm test's bootstrap do).`);
  }
  const port = await freeLoopbackPort();
  const dir = makeFolder('aicli-registry-');
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(options.auth ? ['auth:', '  htpasswd:', '    realm: aicli-test', `    path: ${join(dir, 'htpasswd')}`] : []),
      '',
    ].join('\n'),
  );
  if (options.auth) writeFileSync(join(dir, 'htpasswd'), registryAccountHtpasswd);
  const child: ChildProcess = spawn(registryBinary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  // With auth, /v2/ answers 401; its root answers 200 either way.
  while (!(await answersHttp(port, options.auth ? '/' : '/v2/'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not come up on 127.0.0.1:${port}: ${stderr.trim() || `exit ${child.exitCode}`}`);
    }
    await sleep(100);
  }
  const proxy = options.bytesPerSecond ? await throttlingProxy(port, options.bytesPerSecond) : undefined;
  const exposedPort = proxy ? (proxy.address() as AddressInfo).port : port;
  return {
    address: `127.0.0.1:${exposedPort}`,
    async stop() {
      proxy?.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
      const failed = output?.find((message) => message.error);
      if (err || failed) reject(err ?? new Error(failed?.error));
      else resolve();
    }),
  );
}

/**
 * Builds an image of `layers` layers of `layerMiB` random MiB each on top of `base` (offline),
 * so a pull has several layers and bytes worth watching.
 */
export async function buildLayeredImage(
  docker: Docker,
  tag: string,
  base: string,
  layers: number,
  layerMiB: number,
  labels: Record<string, string>,
): Promise<void> {
  const steps = Array.from({ length: layers }, (_, i) => `RUN dd if=/dev/urandom of=/layer${i} bs=1M count=${layerMiB} 2>/dev/null`);
  const dockerfile = [`FROM ${base}`, ...steps, ''].join('\n');
  const context = makeFolder('aicli-layered-');
  try {
    writeFileSync(join(context, 'Dockerfile'), dockerfile);
    await follow(docker, await docker.buildImage({ context, src: ['Dockerfile'] }, { t: tag, labels, rm: true, forcerm: true }));
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Tags `image` as registry/name:tag, pushes it, and drops the local tag again. */
export async function pushToRegistry(docker: Docker, image: string, target: string, auth: Docker.AuthConfig = {}): Promise<void> {
  const separator = target.lastIndexOf(':');
  await docker.getImage(image).tag({ repo: target.slice(0, separator), tag: target.slice(separator + 1) });
  try {
    // Docker 20.10 wants an X-Registry-Auth header on push even for a registry without auth.
    await follow(docker, await docker.getImage(target).push({ authconfig: auth }));
  } finally {
    await docker
      .getImage(target)
      .remove({ noprune: true })
      .catch(() => undefined);
  }
}
