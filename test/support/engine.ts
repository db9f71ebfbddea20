// The test engine (DOCKER_HOST, as scripts/test.mjs sets it) as the project reaches it.
import { homedir } from 'node:os';
import { EngineConnection } from '../../src/engine/connection';
import { Engine } from '../../src/engine/engine';
import { defaultEngineSettings, EngineTarget, resolveEngineTarget } from '../../src/engine/target';

/** The offline image scripts/engine.mjs builds on every test engine. */
export const baseImage = 'aicli/base:latest';

/** The target the settings would give: the test engine, or `host` (another engine) when given. */
export function targetFor(host?: string): EngineTarget {
  return resolveEngineTarget({ ...defaultEngineSettings, host: host ?? '' }, process.env, homedir());
}

export function connect(host?: string): Promise<EngineConnection> {
  return EngineConnection.connect(targetFor(host));
}

/** An Engine (events, reconnects) on the test engine (or `host`), started and connected; the caller disposes it. */
export async function connectedEngine(host?: string): Promise<Engine> {
  const engine = new Engine(() => targetFor(host));
  engine.start();
  await engine.connection();
  return engine;
}
