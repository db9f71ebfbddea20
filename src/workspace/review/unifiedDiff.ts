import { Change } from './changes';

type Edit = { op: ' ' | '-' | '+'; line: string };

/** Lines of a text, without the last empty one a trailing newline leaves. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Myers' O(ND) shortest edit script between two line lists (what `diff` computes). */
function editScript(a: string[], b: string[]): Edit[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const frontier = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  for (let d = 0; d <= max; d++) {
    trace.push([...frontier]);
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (frontier[offset + k - 1] ?? 0) < (frontier[offset + k + 1] ?? 0));
      let x = down ? (frontier[offset + k + 1] ?? 0) : (frontier[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      frontier[offset + k] = x;
      if (x >= a.length && y >= b.length) return backtrack(trace, a, b, offset);
    }
  }
  return [];
}

function backtrack(trace: number[][], a: string[], b: string[], offset: number): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const frontier = trace[d] as number[];
    const k = x - y;
    const down = k === -d || (k !== d && (frontier[offset + k - 1] ?? 0) < (frontier[offset + k + 1] ?? 0));
    const previousK = down ? k + 1 : k - 1;
    const previousX = frontier[offset + previousK] ?? 0;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      x--;
      y--;
      edits.push({ op: ' ', line: a[x] as string });
    }
    if (d > 0) edits.push(down ? { op: '+', line: b[--y] as string } : { op: '-', line: a[--x] as string });
  }
  return edits.reverse();
}

/** A hunk's range as diff prints it: "start,count", the count left out when it is 1. */
const range = (before: number, count: number): string => (count === 1 ? `${before + 1}` : `${count ? before + 1 : before},${count}`);

/** Hunks with three lines of context, as `diff -u` prints them. */
export function unifiedHunks(before: string, after: string, context = 3): string[] {
  const edits = editScript(linesOf(before), linesOf(after));
  const out: string[] = [];
  let index = 0;
  while (index < edits.length) {
    while (index < edits.length && edits[index]?.op === ' ') index++;
    if (index >= edits.length) break;
    // The hunk runs on over changes closer than two contexts apart.
    let last = index;
    for (let scan = index; scan < edits.length && scan - last <= 2 * context + 1; scan++) if (edits[scan]?.op !== ' ') last = scan;
    const first = Math.max(0, index - context);
    const end = Math.min(edits.length, last + context + 1);
    const hunk = edits.slice(first, end);
    const oldStart = edits.slice(0, first).filter((edit) => edit.op !== '+').length;
    const newStart = edits.slice(0, first).filter((edit) => edit.op !== '-').length;
    const oldCount = hunk.filter((edit) => edit.op !== '+').length;
    const newCount = hunk.filter((edit) => edit.op !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    hunk.forEach((edit) => out.push(`${edit.op}${edit.line}`));
    index = end;
  }
  return out;
}

const modeText = (mode: number | undefined, type: string | undefined): string =>
  type === 'symlink' ? '120000' : `100${((mode ?? 0o644) & 0o777).toString(8).padStart(3, '0')}`;

/**
 * One change as `git diff` shows it: the header, mode lines, then hunks, "Binary files … differ",
 * or a link's target as its content. `before`/`after`: the folder's and the box's bytes.
 */
export function unifiedDiff(change: Change, before: Buffer | undefined, after: Buffer | undefined): string[] {
  const { path } = change;
  const lines = [`diff --git a/${path} b/${path}`];
  const hostType = change.host?.type;
  const boxType = change.box?.type;
  if (change.kind === 'added') lines.push(`new file mode ${modeText(change.box?.mode, boxType)}`);
  else if (change.kind === 'deleted') lines.push(`deleted file mode ${modeText(change.host?.mode, hostType)}`);
  else if (change.host?.mode !== change.box?.mode || hostType !== boxType) {
    lines.push(`old mode ${modeText(change.host?.mode, hostType)}`, `new mode ${modeText(change.box?.mode, boxType)}`);
  }
  if (change.kind === 'mode') return lines;
  const text = (side: Buffer | undefined, type: string | undefined, target: string | undefined): string =>
    type === 'symlink' ? `${target ?? ''}\n` : (side?.toString('utf8') ?? '');
  const oldText = text(before, hostType, change.host?.type === 'symlink' ? change.host.target : undefined);
  const newText = text(after, boxType, change.box?.type === 'symlink' ? change.box.target : undefined);
  if (change.binary || before?.includes(0)) {
    lines.push(`Binary files ${change.kind === 'added' ? '/dev/null' : `a/${path}`} and ${change.kind === 'deleted' ? '/dev/null' : `b/${path}`} differ`);
    return lines;
  }
  lines.push(change.kind === 'added' ? '--- /dev/null' : `--- a/${path}`, change.kind === 'deleted' ? '+++ /dev/null' : `+++ b/${path}`);
  lines.push(...unifiedHunks(oldText, newText));
  return lines;
}

/** `--stat`: one line per change and a summary, like `git diff --stat`. */
export function diffStat(changes: Change[]): string[] {
  const width = Math.max(0, ...changes.map((change) => change.path.length));
  const lines = changes.map((change) => {
    const flags = [change.protected ? 'protected' : '', change.conflict ? 'conflict' : '', change.binary ? 'binary' : ''].filter(Boolean).join(', ');
    return ` ${change.path.padEnd(width)} | ${change.kind}${flags ? ` (${flags})` : ''}`;
  });
  lines.push(` ${changes.length} file${changes.length === 1 ? '' : 's'} changed`);
  return lines;
}
