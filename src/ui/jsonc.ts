/**
 * VS Code's settings files are JSON with comments and trailing commas. This is the small
 * part of that format we need to read them (no vscode import, so it is unit-tested in Node):
 * strip the comments and the trailing commas, then JSON.parse. Throws on anything else.
 */
export function parseJsonc(text: string): unknown {
  const stripped = withoutTrailingCommas(withoutComments(text.replace(/^\uFEFF/, '')));
  return stripped.trim() ? JSON.parse(stripped) : undefined;
}

/** Copies strings verbatim (a "//" inside a string is not a comment) and drops comments. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      out += ' ';
    } else {
      out += char;
    }
  }
  return out;
}

function withoutTrailingCommas(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (char === ',' && '}]'.includes(nextNonSpace(text, i + 1))) {
      continue;
    } else {
      out += char;
    }
  }
  return out;
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
