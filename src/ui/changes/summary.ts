import { Change } from '../../workspace/review/changes';

/** What a workspace row says about its last read of the changes ("3 changed · 1 protected"). */
export interface ChangeCount {
  changed: number;
  protected: number;
  conflicts: number;
}

export function countOf(changes: readonly Change[]): ChangeCount {
  return {
    changed: changes.length,
    protected: changes.filter((change) => change.protected).length,
    conflicts: changes.filter((change) => change.conflict).length,
  };
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** "3 changed · 1 protected · 2 conflicts", or "no changes": the one wording of both views. */
export function countText(count: ChangeCount): string {
  if (count.changed === 0) return 'no changes';
  const parts = [`${count.changed} changed`];
  if (count.protected) parts.push(`${count.protected} protected`);
  if (count.conflicts) parts.push(plural(count.conflicts, 'conflict', 'conflicts'));
  return parts.join(' · ');
}

const octal = (mode: number): string => mode.toString(8).padStart(3, '0');

/** What a change is, as its row says it: the kind, with the modes or types of a mode or type change. */
export function kindText(change: Change): string {
  if (change.kind === 'mode' && change.host && change.box) return `mode ${octal(change.host.mode)} → ${octal(change.box.mode)}`;
  if (change.kind === 'typechange') return `${change.host?.type ?? 'nothing'} → ${change.box?.type ?? 'nothing'}`;
  const link = change.box?.type === 'symlink' ? ' · link' : '';
  return `${change.kind}${change.binary ? ' · binary' : ''}${link}`;
}

/** ".git/config (protected), x.txt (conflict)": what an Apply All left, at most `shown` by name. */
export function leftText(changes: readonly Change[], shown = 5): string {
  const named = changes.slice(0, shown).map((change) => `${change.path} (${change.protected ? 'protected' : 'conflict'})`);
  const more = changes.length > shown ? ` and ${changes.length - shown} more` : '';
  return `${named.join(', ')}${more}`;
}

export const plurals = { changes: (count: number): string => plural(count, 'change', 'changes') };
