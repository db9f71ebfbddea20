import type { EngineScope } from '../workspace/scope';
import { ParsedArgs } from './args';

/** What a verb gets from the dispatcher: its arguments and the one engine it works on. */
export interface CommandContext {
  /** The verb as typed (one of the command's names). */
  readonly verb: string;
  readonly args: ParsedArgs;
  readonly json: boolean;
  /**
   * The engine scope of this command: --engine NAME, --host, placement (create --engine auto)
   * or the default resolution, chosen on the first call and the same for every later one.
   * Verbs call it after checking their own arguments, so a usage error never waits for an engine.
   */
  scope(): Promise<EngineScope>;
  /** Every engine the CLI knows (`engines` and placement look at all of them). */
  readonly engines: KnownEngines;
}

export interface KnownEngines {
  /** The default engine, then those of AICLI_ENGINES in their order. */
  names(): string[];
  /** A scope on that engine, connecting from now on; disposed with the command. */
  scopeOf(name: string): EngineScope;
  /** Disposes a scope before the command ends (placement: the engines not chosen). */
  release(scope: EngineScope): void;
}

/** One verb of aicli-ws: one row of the table the dispatcher runs and writes the usage text from. */
export interface Command {
  /** The verb, or the verbs that share one run (start|stop|…). */
  names: string[];
  /** What follows the verb in the usage text; more lines continue under the first. */
  synopsis: string[];
  /** What it does, in the usage text's second column. */
  description?: string[];
  /** Flags that take a value (beside the global ones); repeatable ones are shown with `...`. */
  values?: string[];
  /** Flags without a value (beside the global ones). */
  booleans?: string[];
  /** `--engine auto` may place it (new workspaces only). */
  placement?: boolean;
  run(ctx: CommandContext): Promise<number>;
}
