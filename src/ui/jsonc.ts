/**
 * VS Code's settings files are JSON with comments and trailing commas. This is the small
 * part of that format we need to read them (no vscode import, so it is unit-tested in Node):
 * strip the comments and the trailing commas, then JSON.parse. Throws on anything else.
 */
export function parseJsonc(text: string): unknown {
  const stripped = withoutTrailingCommas(withoutComments(text.replace(/^\uFEFF/, '')));
  return stripped.trim() ? JSON.parse(stripped) : undefined;
}

/**
 * Copies strings verbatim (a "//" or "," inside a string is text) and lets `outside` decide,
 * for every other character, what to write and where to go on.
 */
function outsideStrings(text: string, outside: (at: number) => { write: string; next: number }): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    if (text[i] === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    const step = outside(i);
    out += step.write;
    i = step.next;
  }
  return out;
}

/** Drops comments; a line comment leaves its newline, a block comment a space. */
function withoutComments(text: string): string {
  return outsideStrings(text, (at) => {
    if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      return { write: '\n', next: end < 0 ? text.length : end + 1 };
    }
    if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2);
      return { write: ' ', next: end < 0 ? text.length : end + 2 };
    }
    return { write: text[at] ?? '', next: at + 1 };
  });
}

function withoutTrailingCommas(text: string): string {
  return outsideStrings(text, (at) => ({ write: text[at] === ',' && '}]'.includes(nextNonSpace(text, at + 1)) ? '' : (text[at] ?? ''), next: at + 1 }));
}

function nextNonSpace(text: string, from: number): string {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return text[i] ?? 'end';
}

/** Index just past the string that starts at `start` (a quote), backslash escapes included. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
