import { Command } from '../command';

export const mcp: Command = {
  names: ['mcp'],
  synopsis: [
    '[--level L] [--image I] [--cpus C] [--memory M] [--pids P]',
    '[--egress MODE] [--allow HOST]... [--mount MODE] [--label K=V]...',
    '[--folder-root DIR]... [--allow-apply] [--output-cap BYTES] [--max-timeout SECONDS]',
  ],
  description: [
    'An MCP server on stdio for agents: workspaces at this policy',
    '(an agent may only ask for a stricter level); every call is',
    'logged on stderr; --folder-root: the folders agents may use',
    '(default: the working directory); --allow-apply: the agent',
    'may apply changes to the folder',
  ],
  values: ['--level', '--image', '--cpus', '--memory', '--pids', '--egress', '--allow', '--mount', '--label', '--folder-root', '--output-cap', '--max-timeout'],
  booleans: ['--allow-apply'],
  async run({ args }) {
    // Its own bundle (dist/cli-mcp.js, see scripts/build.mjs): only the arguments cross over.
    const { serveMcp } = await import('../../mcp/main');
    return serveMcp(args);
  },
};
