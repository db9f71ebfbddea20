import { collectEngineReport, formatEngineReport } from '../../engine/report';
import { Command } from '../command';

export const doctor: Command = {
  names: ['doctor'],
  synopsis: ['[--json]'],
  description: ['Check the engine: host, versions, cgroups, security features'],
  async run({ scope, json }) {
    const report = await collectEngineReport(await (await scope()).connection());
    console.log(json ? JSON.stringify(report, null, 2) : formatEngineReport(report).join('\n'));
    return 0;
  },
};
