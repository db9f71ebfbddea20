import type { EngineScope } from '../workspace/scope';
import { Command } from './command';
import { table } from './output';

/** A verb that lists things of one engine: a table, or JSON with --json. */
export function listing<T>(spec: {
  name: string;
  description: string;
  read: (scope: EngineScope) => Promise<T[]>;
  json: (items: T[]) => unknown;
  columns: string[];
  row: (item: T) => string[];
}): Command {
  return {
    names: [spec.name],
    synopsis: ['[--json]'],
    description: [spec.description],
    async run({ scope, json }) {
      const items = await spec.read(await scope());
      console.log(json ? JSON.stringify(spec.json(items), null, 2) : table(spec.columns, items.map(spec.row)));
      return 0;
    },
  };
}
