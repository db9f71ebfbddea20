import { Command } from './command';

/** The global options, as the usage text lists them. */
const globalOptions: { synopsis: string; description: string[] }[] = [
  { synopsis: '--host HOST', description: ['Docker host (default: DOCKER_HOST, the current Docker context, the default socket)'] },
  {
    synopsis: '--engine NAME',
    description: [
      'An engine from AICLI_ENGINES (a JSON list like the aicli.engines setting);',
      'create --engine auto places on the least-loaded engine that can isolate',
    ],
  },
  { synopsis: '--api-version V', description: ['Docker API version (default: negotiated)'] },
  { synopsis: '--timeout MS', description: ['Request timeout in milliseconds (default: 10000)'] },
  { synopsis: '--json', description: ['Machine-readable output'] },
  { synopsis: '-h, --help', description: ['Show this help'] },
];

/** Where the description column starts in the Commands and Options sections. */
const commandColumn = 38;
const optionColumn = 22;

/**
 * Two columns: the synopsis (its further lines indented under the first), then the description,
 * beside a one-line synopsis that leaves room, otherwise below it.
 */
function entryLines(synopsis: string[], description: string[], column: number, continuation: number): string[] {
  const [first = '', ...more] = synopsis;
  const beside = more.length === 0 && description.length > 0 && 2 + first.length < column;
  const head = beside ? [`  ${first}`.padEnd(column) + description[0]] : [`  ${first}`, ...more.map((line) => ' '.repeat(continuation) + line)];
  return [...head, ...description.slice(beside ? 1 : 0).map((line) => ' '.repeat(column) + line)];
}

/** The help text, written from the command table. */
export function usageText(commands: Command[]): string {
  const commandLines = commands.flatMap((command) => {
    const verbs = command.names.join('|');
    const [first, ...more] = command.synopsis;
    return entryLines([`${verbs} ${first}`, ...more], command.description ?? [], commandColumn, 2 + verbs.length + 1);
  });
  const optionLines = globalOptions.flatMap((option) => entryLines([option.synopsis], option.description, optionColumn, 2));
  return ['Usage: aicli-ws <command> [options]', '', 'Commands:', ...commandLines, '', 'Options:', ...optionLines].join('\n');
}
