import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';

/**
 * VS Code's settings files are JSON with comments and trailing commas, read with jsonc-parser
 * (VS Code's own; the devcontainer.json reader uses it too). No vscode import, so it is
 * unit-tested in Node. A file of only comments and whitespace is nothing; anything broken throws.
 */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true }) as unknown;
  const first = errors[0];
  if (first) throw new SyntaxError(`not valid JSON with comments: ${printParseErrorCode(first.error)} at offset ${first.offset}`);
  return value;
}
