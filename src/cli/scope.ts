import { homedir } from 'node:os';
import { AuditTrail } from '../audit/trail';
import { Disposable } from '../engine/emitter';
import { Engine } from '../engine/engine';
import { defaultEngineName } from '../engine/engines';
import { defaultEngineSettings, EngineSettings, EngineTarget, resolveEngineTarget } from '../engine/target';
import { defaultPortPolicy } from '../isolation/ports';
import { defaultProtectedPaths } from '../isolation/projectMount';
import { defaultMonitorSettings } from '../monitor/settings';
import { WorkspacePolicy } from '../workspace/request';
import { EngineScope } from '../workspace/scope';
import { ParsedArgs, single, UsageError } from './args';
import { cliAuditTrail } from './auditTrail';
import { Command, KnownEngines } from './command';
import { cliEngineEntries, placeWorkspace, targetForEngineName } from './engines';
import { labelArguments } from './options';

const cliPolicy: WorkspacePolicy = {
  defaultImage: 'aicli/base:latest',
  defaultLevel: 'standard',
  resources: {},
  ports: defaultPortPolicy,
  mountEngineSocket: false,
  home: homedir(),
  protectedPaths: [...defaultProtectedPaths],
};

function engineSettings(args: ParsedArgs): EngineSettings {
  const timeout = single(args, '--timeout');
  const timeoutMs = timeout === undefined ? defaultEngineSettings.timeoutMs : Number(timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout takes a positive number of milliseconds.');
  return { ...defaultEngineSettings, host: single(args, '--host') ?? '', apiVersion: single(args, '--api-version') ?? '', timeoutMs };
}

/**
 * The engines of one aicli-ws run and the scopes made on them. A command gets exactly one
 * scope (scopeFor): the engine of --engine NAME (AICLI_ENGINES), of --host, the one placement
 * picks for `create --engine auto`, or the default resolution (DOCKER_HOST, context, socket).
 */
export class CommandEngines implements KnownEngines, Disposable {
  private readonly settings: EngineSettings;
  private readonly made: EngineScope[] = [];

  constructor(
    private readonly args: ParsedArgs,
    /** Where the scopes' actions are recorded (the MCP server passes its own: records as the agent's). */
    private readonly audit: AuditTrail = cliAuditTrail('cli'),
  ) {
    this.settings = engineSettings(args);
    if (single(args, '--engine') !== undefined && single(args, '--host') !== undefined)
      throw new UsageError('Use either --engine NAME or --host HOST, not both.');
  }

  private readonly defaultTarget = (): EngineTarget => resolveEngineTarget(this.settings, process.env, homedir());

  names(): string[] {
    return [defaultEngineName, ...cliEngineEntries().map((entry) => entry.name)];
  }

  scopeOf(name: string | undefined): EngineScope {
    // Resolved before the Engine exists: a bad name or host is the user's error, not a connection state.
    const target = targetForEngineName(name, this.defaultTarget, this.settings.timeoutMs);
    const engine = new Engine(() => target);
    const scope = new EngineScope(name ?? defaultEngineName, engine, {
      policy: () => ({ ...cliPolicy, labels: labelArguments(this.args) }),
      monitorSettings: () => defaultMonitorSettings,
      audit: this.audit.sink(),
    });
    this.made.push(scope);
    engine.start();
    return scope;
  }

  /** The one scope of this command. */
  async scopeFor(command: Command): Promise<EngineScope> {
    const name = single(this.args, '--engine');
    if (name !== 'auto') return this.scopeOf(name);
    if (!command.placement) throw new UsageError('--engine auto only places new workspaces (create); name the engine for other commands.');
    const placed = await placeWorkspace(this);
    console.error(`Placing on engine ${placed.scope.name} (${placed.reason})`);
    return placed.scope;
  }

  release(scope: EngineScope): void {
    const index = this.made.indexOf(scope);
    if (index >= 0) this.made.splice(index, 1);
    scope.dispose();
    scope.engine.dispose();
  }

  dispose(): void {
    [...this.made].forEach((scope) => this.release(scope));
  }
}
