import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EngineConnection } from '../engine/connection';
import { imageExists } from '../engine/images';
import { InputError } from '../engine/errors';
import { buildImage } from './build';
import { gatewayEntrypoint } from './gatewayScript';
import { labels } from './model';

/** Bump when the entrypoint or the programs change: a create then builds the new image. */
export const gatewayImageVersion = '4';
export const gatewayImage = `aicli/gateway:${gatewayImageVersion}`;

/**
 * Programs made for the job, taken from this machine's packages (no registry is needed):
 * nftables filters, dnsmasq answers DNS for the allow-list and fills the set of allowed
 * addresses, tcpdump prints what was refused, busybox runs the entrypoint.
 */
const programs = ['dnsmasq', 'nft', 'tcpdump'];
export const gatewayPackages = 'dnsmasq-base nftables tcpdump busybox-static';
const searchPath = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const busyboxCandidates = ['/bin/busybox', '/usr/bin/busybox'];

function missingPrograms(reason: string): InputError {
  return new InputError(
    'gateway',
    `The egress gateway image ${gatewayImage} is not on the engine and cannot be built here: ${reason}. ` +
      `Install the packages it is built from (Debian/Ubuntu: sudo apt-get install ${gatewayPackages}) and create again.`,
  );
}

function findProgram(name: string): string {
  const found = searchPath.map((folder) => join(folder, name)).find((path) => existsSync(path));
  if (!found) throw missingPrograms(`${name} is not installed`);
  return found;
}

/** The binary's shared libraries and loader, as ldd lists them. */
function sharedLibraries(binary: string): string[] {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  return [...result.stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((match) => match[1]!);
}

function staticBusybox(): string {
  const busybox = busyboxCandidates.find((path) => existsSync(path) && sharedLibraries(path).length === 0);
  if (!busybox) throw missingPrograms('no statically linked busybox (package busybox-static)');
  return busybox;
}

function copyInto(root: string, source: string, target = source): void {
  const destination = join(root, target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(source, destination);
}

/** A build context: Dockerfile + rootfs/ holding the programs with their libraries. */
function writeContext(folder: string): void {
  const root = join(folder, 'rootfs');
  for (const program of programs) {
    const binary = findProgram(program);
    copyInto(root, binary, join('/usr/sbin', program));
    for (const library of sharedLibraries(binary)) copyInto(root, library);
  }
  copyInto(root, staticBusybox(), '/bin/busybox');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/:/bin/busybox\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  writeFileSync(join(root, 'usr/local/bin/aicli-gateway'), gatewayEntrypoint);
  chmodSync(join(root, 'usr/local/bin/aicli-gateway'), 0o755);
  writeFileSync(
    join(folder, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY rootfs/ /',
      `LABEL ${labels.gatewayImage}=${gatewayImageVersion}`,
      'ENTRYPOINT ["/bin/busybox", "sh", "/usr/local/bin/aicli-gateway"]',
      '',
    ].join('\n'),
  );
}

/** Node's name for an engine's architecture: dockerd says x86_64 / aarch64 (uname), Podman amd64 / arm64 (Go). */
export function engineArchitecture(arch: string | undefined): string {
  const names: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' };
  return names[arch ?? ''] ?? arch ?? '';
}

/**
 * Makes sure the gateway image is on the engine, building it from this machine's programs the
 * first time (about a second). The programs must match the engine's architecture.
 */
export async function ensureGatewayImage(connection: EngineConnection, onOutput: (line: string) => void = () => {}): Promise<void> {
  if (await imageExists(connection, gatewayImage)) return;
  const info = await connection.info();
  if (process.platform !== 'linux' || engineArchitecture(info.Architecture) !== process.arch) {
    throw missingPrograms(
      `this machine (${process.platform} ${process.arch}) cannot provide programs for the engine (${info.OperatingSystem ?? '?'}, ${info.Architecture ?? '?'})`,
    );
  }
  const folder = mkdtempSync(join(tmpdir(), 'aicli-gateway-'));
  try {
    writeContext(folder);
    await buildImage(connection, { context: folder, tag: gatewayImage }, onOutput);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
