import { AuditRecord } from '../../audit/record';
import { formatSecuritySummary, recentSecurityRecords, SecuritySummary, securitySummary, securityWindowMs } from '../../audit/securitySummary';
import { errorText } from '../../audit/sink';
import { InputError } from '../../engine/errors';
import { AlertsReport, collectAlerts, formatAlertsReport } from '../../monitor/alertsReport';
import { single, UsageError } from '../args';
import { cliAuditTrail } from '../auditTrail';
import { Command } from '../command';

/** --summary: the dashboard's numbers (the Security view's): the snapshot's alerts now and the trail's last 24 h. */
function summaryOf(report: AlertsReport, engine: string | undefined): SecuritySummary {
  const trail = cliAuditTrail('cli');
  const nowMs = Date.now();
  let records: AuditRecord[];
  try {
    records = recentSecurityRecords(trail, nowMs).filter((record) => (record.engine ?? 'default') === (engine ?? 'default'));
  } catch (err) {
    throw new InputError('audit', `Cannot read the audit trail in ${trail.directory}: ${errorText(err)}`);
  }
  const current = report.alerts.map((alert) => ({
    engine,
    workspace: { name: alert.workspace, id: alert.workspaceId },
    severity: alert.severity,
    type: alert.type,
  }));
  return securitySummary(current, records, { sinceMs: nowMs - securityWindowMs, nowMs });
}

export const alerts: Command = {
  names: ['alerts'],
  synopsis: ['[--json] [--wait SECONDS] [--processes] [--summary]'],
  description: [
    'Security and resource alerts of the managed workspaces: audit,',
    'SECONDS (default 3) of live stats, and with --processes the',
    'process/listener checks (an exec in each running workspace);',
    '--summary: counts by severity and type now and, from the audit',
    'trail, for the last 24 h, per workspace (the Security view)',
  ],
  values: ['--wait'],
  booleans: ['--processes', '--summary'],
  async run({ args, scope, json }) {
    const wait = Number(single(args, '--wait') ?? 3);
    if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait takes a number of seconds (0 or more).');
    // The snapshot watches the scope's engine, the one --engine named (or the default).
    const engineScope = await scope();
    const report = await collectAlerts(engineScope.engine, wait * 1000, { processChecks: args.booleans.has('--processes') });
    if (args.booleans.has('--summary')) {
      const summary = summaryOf(report, engineScope.name);
      console.log(json ? JSON.stringify({ host: report.host, ...summary }, null, 2) : formatSecuritySummary(summary, report.host));
      return 0;
    }
    console.log(json ? JSON.stringify(report, null, 2) : formatAlertsReport(report));
    return 0;
  },
};
