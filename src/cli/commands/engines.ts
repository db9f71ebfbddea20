import { formatBytes } from '../../engine/bytes';
import { Command } from '../command';
import { probeEngines } from '../engines';
import { table } from '../output';

export const engines: Command = {
  names: ['engines'],
  synopsis: ['[--json]'],
  description: ['The default engine and those in AICLI_ENGINES, with health and load'],
  async run({ engines: known, json }) {
    const rows = (await probeEngines(known)).map(({ info: _info, scope: _scope, ...row }) => row);
    if (json) console.log(JSON.stringify(rows, null, 2));
    else {
      const cells = rows.map((r) => [
        r.name,
        r.host,
        r.state,
        r.version ?? '',
        r.running === undefined ? '' : String(r.running),
        r.cpus ? String(r.cpus) : '',
        r.memoryBytes ? formatBytes(r.memoryBytes) : '',
      ]);
      console.log(table(['ENGINE', 'HOST', 'STATE', 'VERSION', 'RUNNING', 'CPUS', 'MEMORY'], cells));
      rows.filter((r) => r.error).forEach((r) => console.error(`${r.name}: ${r.error}`));
    }
    return rows.every((row) => row.state === 'up') ? 0 : 1;
  },
};
