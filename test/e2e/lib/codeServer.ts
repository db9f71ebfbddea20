// Starts a throw-away code-server bound to 127.0.0.1 that loads this repo as a development extension.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { answersHttp, freeLoopbackPort } from '../../support/net';
import { sleep } from '../../support/waits';
import { onProcessExit } from './cleanup';
import { assertExtensionBuilt, codeServerEntry, makeTempDir, removeDir, repoRoot } from './paths';

export type Payload = Array<[string, string]>;

export interface CodeServerOptions {
  workspaceFolder: string;
  env?: NodeJS.ProcessEnv;
  /** Merged over the defaults in User/settings.json. */
  settings?: Record<string, unknown>;
  /** Defaults to the repo root. */
  extensionDevelopmentPath?: string;
  /**
   * Folders of further extensions, installed as a user's are (the workbench payload takes one
   * development path only): test drivers such as lib/toolDriver.
   */
  extensions?: string[];
}

export interface CodeServer {
  port: number;
  runDir: string;
  logFile: string;
  workspaceFolder: string;
  /** vscode-remote://127.0.0.1:PORT/<absPath>: the form the workbench payload needs. */
  remoteUri(absPath: string): string;
  /** Workbench URL for folder; the payload always starts with extensionDevelopmentPath. */
  url(folder?: string, payload?: Payload): string;
  stop(): Promise<void>;
}

export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'window.dialogStyle': 'custom',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * True while a non-zombie process is in the group. kill(-pgid, 0) also succeeds for zombies, and the
 * init here takes ~1.5 s to reap the orphans, so read /proc where it exists.
 */
function groupAlive(pgid: number): boolean {
  if (!fs.existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL: an extension host whose browser is still connected ignores SIGTERM. */
async function stopGroup(pid: number): Promise<void> {
  killGroup(pid, 'SIGTERM');
  for (let waited = 0; groupAlive(pid) && waited < 3000; waited += 100) await sleep(100);
  if (groupAlive(pid)) {
    killGroup(pid, 'SIGKILL');
    for (let waited = 0; groupAlive(pid) && waited < 3000; waited += 100) await sleep(100);
  }
}

/** The server's environment: no VS Code/Electron variables leaking in, and nothing written to $HOME. */
function serverEnv(runDir: string, extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries({ ...process.env, ...extra })) {
    if (/^(VSCODE_|ELECTRON_)/.test(key) && !(extra && key in extra)) continue;
    env[key] = value;
  }
  return {
    ...env,
    XDG_CONFIG_HOME: path.join(runDir, 'xc'),
    XDG_DATA_HOME: path.join(runDir, 'xd'),
    XDG_CACHE_HOME: path.join(runDir, 'xca'),
    TMPDIR: path.join(runDir, 'tmp'),
    EXTENSIONS_GALLERY: '{}',
  };
}

function prepareRunDir(runDir: string, settings: Record<string, unknown>, extensions: readonly string[]): void {
  for (const sub of ['xc', 'xd', 'xca', 'tmp', 'ext', 'ud/User']) fs.mkdirSync(path.join(runDir, sub), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'config.yaml'), 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(runDir, 'ud', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  installExtensions(path.join(runDir, 'ext'), extensions);
}

/** Copies each extension folder into the extensions dir and lists it in extensions.json, as an install does. */
function installExtensions(extensionsDir: string, folders: readonly string[]): void {
  const installed = folders.map((folder) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    const relativeLocation = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
    const location = path.join(extensionsDir, relativeLocation);
    fs.cpSync(folder, location, { recursive: true });
    return {
      identifier: { id: `${manifest.publisher}.${manifest.name}` },
      version: manifest.version,
      location: { $mid: 1, path: location, scheme: 'file' },
      relativeLocation,
    };
  });
  if (installed.length) fs.writeFileSync(path.join(extensionsDir, 'extensions.json'), JSON.stringify(installed));
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function spawnOnce(opts: CodeServerOptions, runDir: string, devPath: string): Promise<CodeServer | undefined> {
  const port = await freeLoopbackPort();
  const logFile = path.join(runDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const args = [
    codeServerEntry,
    '--config',
    path.join(runDir, 'config.yaml'),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    path.join(runDir, 'ud'),
    '--extensions-dir',
    path.join(runDir, 'ext'),
    opts.workspaceFolder,
  ];
  const child = spawn(process.execPath, args, {
    cwd: runDir,
    env: serverEnv(runDir, opts.env),
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not spawn');
  let exited = false;
  child.once('exit', () => (exited = true));

  const unregister = onProcessExit(
    () => {
      killGroup(pid, 'SIGKILL');
      removeDir(runDir);
    },
    async () => {
      await stopGroup(pid);
      removeDir(runDir);
    },
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await stopGroup(pid);
      removeDir(runDir);
      unregister();
    })());

  const deadline = Date.now() + 30_000;
  while (!(await answersHttp(port, '/healthz'))) {
    if (exited) {
      unregister();
      if (/EADDRINUSE/.test(tail(logFile))) return undefined; // Lost the port race: retry.
      throw new Error(`code-server exited before /healthz answered:\n${tail(logFile)}`);
    }
    if (Date.now() > deadline) {
      const log = tail(logFile);
      await stop();
      throw new Error(`code-server /healthz timed out after 30 s:\n${log}`);
    }
    await sleep(100);
  }

  const remoteUri = (absPath: string): string => `vscode-remote://127.0.0.1:${port}${path.resolve(absPath)}`;
  return {
    port,
    runDir,
    logFile,
    workspaceFolder: opts.workspaceFolder,
    remoteUri,
    stop,
    url(folder = opts.workspaceFolder, payload: Payload = []): string {
      const full: Payload = [['extensionDevelopmentPath', remoteUri(devPath)], ...payload];
      return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(full))}`;
    },
  };
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const devPath = path.resolve(opts.extensionDevelopmentPath ?? repoRoot);
  assertExtensionBuilt(devPath);
  if (!fs.statSync(opts.workspaceFolder).isDirectory()) throw new Error(`Not a folder: ${opts.workspaceFolder}`);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const runDir = makeTempDir('acs-');
    prepareRunDir(runDir, { ...defaultSettings, ...opts.settings }, opts.extensions ?? []);
    try {
      const server = await spawnOnce(opts, runDir, devPath);
      if (server) return server;
    } catch (err) {
      removeDir(runDir);
      throw err;
    }
    removeDir(runDir);
  }
  throw new Error('code-server could not bind a free port after 3 attempts');
}
