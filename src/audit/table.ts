import { table } from '../monitor/reportTable';
import { AuditRecord, describeRecord } from './record';

/** The "what" column is cut here in the table (the JSON has it all). */
const whatChars = 120;

const pad = (value: number): string => String(value).padStart(2, '0');

/** Local time, to the second: what a person compares with their clock. */
export function localTime(iso: string): string {
  const at = new Date(iso);
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

function auditRow(record: AuditRecord): string[] {
  const engine = record.engine && record.engine !== 'default' ? `@${record.engine}` : '';
  const what = describeRecord(record).replace(/\s+/g, ' ');
  return [
    localTime(record.at),
    record.type,
    record.workspace ? `${record.workspace.name}${engine}` : engine.slice(1),
    record.actor,
    what.length > whatChars ? `${what.slice(0, whatChars - 1)}…` : what,
  ];
}

/** The records as `aicli-ws audit` prints them and VS Code's Show Audit Trail shows them. */
export function auditTable(records: readonly AuditRecord[]): string {
  return table(['TIME', 'TYPE', 'WORKSPACE', 'ACTOR', 'WHAT'], records.map(auditRow));
}
