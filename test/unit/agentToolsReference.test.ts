import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { toolJsonSchema } from '../../src/agent/tool';
import { allAgentTools } from '../../src/agent/tools';

const referencePath = resolve(__dirname, '..', '..', '..', 'docs', 'agent-tools.md');

/** docs/agent-tools.md as the tool table makes it: name, title, what it does, hints, the schema the server lists. */
function reference(): string {
  const sections = allAgentTools.map((tool) => {
    const hints = [tool.readOnly ? 'read-only' : 'changes the workspace', ...(tool.destructive ? ['destructive'] : [])].join(', ');
    const only = tool.name === 'workspace_apply' ? ' Listed only when the server was started with `--allow-apply`.' : '';
    return `## \`${tool.name}\` — ${tool.title}\n\n${tool.description}${only}\n\n*${hints}*\n\n\`\`\`json\n${JSON.stringify(toolJsonSchema(tool), null, 2)}\n\`\`\`\n`;
  });
  return [
    '# Agent tools: names and argument schemas',
    '',
    'What `aicli-ws mcp` lists (`tools/list`) and what the VS Code language-model tools take (without',
    "`workspace`: they act on the open folder's workspace). Generated from `src/agent/tools/` by",
    '`AICLI_UPDATE_DOCS=1 npx mocha out/test/unit/agentToolsReference.test.js`; `npm test` fails when it',
    'is out of date.',
    '',
    ...sections,
  ].join('\n');
}

describe('docs/agent-tools.md', () => {
  it('is the reference the tool table makes (names, descriptions, JSON schemas)', () => {
    if (process.env.AICLI_UPDATE_DOCS) writeFileSync(referencePath, reference());
    assert.equal(
      readFileSync(referencePath, 'utf8'),
      reference(),
      'docs/agent-tools.md is out of date: run AICLI_UPDATE_DOCS=1 npx mocha out/test/unit/agentToolsReference.test.js',
    );
  });
});
