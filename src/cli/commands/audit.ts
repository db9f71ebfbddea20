import { checkAuditTypes, parseSince } from '../../audit/reader';
import { AuditRecord } from '../../audit/record';
import { errorText } from '../../audit/sink';
import { auditTable } from '../../audit/table';
import { InputError } from '../../engine/errors';
import { single, UsageError } from '../args';
import { cliAuditTrail } from '../auditTrail';
import { Command } from '../command';

export const audit: Command = {
  names: ['audit'],
  synopsis: ['[NAME] [--since 1h|30m|2d|ISO] [--type T]... [--json]'],
  description: [
    'The audit trail, oldest first: creates, lifecycle, execs, terminal',
    'sessions, agent tool calls, alerts raised and cleared, breach',
    'responses, refused egress, apply/discard; NAME: one workspace',
    '(name or id); --type: a type or its group (exec, alert.raised);',
    "--engine: that engine's only; --json: an array of the records.",
    'Kept in $AICLI_STATE_DIR/audit (default: under $XDG_STATE_HOME or',
    '~/.local/state, aicli-workspaces/audit), shared with VS Code;',
    'AICLI_AUDIT=0: aicli-ws records nothing',
  ],
  values: ['--since', '--type'],
  async run({ args, json }) {
    const [, workspace, ...extra] = args.positional;
    if (extra.length > 0) throw new UsageError('audit takes at most one workspace name.');
    const since = single(args, '--since');
    const engine = single(args, '--engine');
    if (engine === 'auto') throw new UsageError('--engine auto only places new workspaces (create); name the engine to read its records.');
    const filter = {
      workspace,
      engine,
      sinceMs: since === undefined ? undefined : parseSince(since),
      types: checkAuditTypes(args.values.get('--type') ?? []),
    };
    const trail = cliAuditTrail('cli');
    let records: AuditRecord[];
    try {
      records = trail.read(filter);
    } catch (err) {
      throw new InputError('audit', `Cannot read the audit trail in ${trail.directory}: ${errorText(err)}`);
    }
    if (json) console.log(JSON.stringify(records, null, 2));
    else if (records.length === 0) console.log(`No audit records${workspace || since || filter.types.length ? ' match' : ''} (in ${trail.directory}).`);
    else console.log(auditTable(records));
    return 0;
  },
};
