import { collectAlerts, formatAlertsReport } from '../../monitor/alertsReport';
import { single, UsageError } from '../args';
import { Command } from '../command';

export const alerts: Command = {
  names: ['alerts'],
  synopsis: ['[--json] [--wait SECONDS] [--processes]'],
  description: [
    'Security and resource alerts of the managed workspaces: audit,',
    'SECONDS (default 3) of live stats, and with --processes the',
    'process/listener checks (an exec in each running workspace)',
  ],
  values: ['--wait'],
  booleans: ['--processes'],
  async run({ args, scope, json }) {
    const wait = Number(single(args, '--wait') ?? 3);
    if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait takes a number of seconds (0 or more).');
    // The snapshot watches the scope's engine, the one --engine named (or the default).
    const report = await collectAlerts((await scope()).engine, wait * 1000, { processChecks: args.booleans.has('--processes') });
    console.log(json ? JSON.stringify(report, null, 2) : formatAlertsReport(report));
    return 0;
  },
};
