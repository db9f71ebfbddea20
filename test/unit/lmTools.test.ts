import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allAgentTools } from '../../src/agent/tools';
import { folderInputSchema, folderTools, languageModelToolEntry } from '../../src/ui/agent/folderTools';
import { CallTarget, createConfirmation, invocationMessage } from '../../src/ui/agent/messages';
import { folderToolNames } from '../../src/ui/agent/toolNames';

const manifestPath = resolve(__dirname, '..', '..', '..', 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { contributes: { languageModelTools: unknown[] } };
const tool = (name: string): (typeof folderTools)[number] => {
  const found = folderTools.find((candidate) => candidate.core.name === name);
  assert.ok(found, name);
  return found;
};

describe("VS Code's language-model tools (the open folder's workspace)", () => {
  it("package.json declares exactly the table's tools, with the core's descriptions and schemas", () => {
    const entries = folderTools.map(languageModelToolEntry);
    if (process.env.AICLI_UPDATE_MANIFEST === '1') {
      manifest.contributes.languageModelTools = entries;
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    // After a change of a core tool: AICLI_UPDATE_MANIFEST=1 npx mocha out/test/unit/lmTools.test.js writes them.
    assert.deepEqual(manifest.contributes.languageModelTools, entries);
  });

  it('offers the core tools that act on one workspace, never create, start, stop, remove or apply', () => {
    assert.deepEqual(
      folderTools.map((entry) => entry.core.name),
      [
        'workspace_exec',
        'workspace_read_file',
        'workspace_write_file',
        'workspace_list_files',
        'workspace_logs',
        'workspace_changes',
        'workspace_diff',
        'workspace_alerts',
      ],
    );
    for (const entry of folderTools) assert.ok(allAgentTools.includes(entry.core), entry.core.name);
  });

  it('names every tool aicli_<core name>, and its prompt reference without the workspace_ prefix', () => {
    assert.deepEqual(
      folderTools.map((entry) => [entry.name, entry.referenceName]),
      folderTools.map((entry) => [`aicli_${entry.core.name}`, `aicli_${entry.core.name.slice('workspace_'.length)}`]),
    );
    for (const entry of folderTools) assert.match(entry.referenceName, /^[\w-]+$/);
  });

  it('registers at activation exactly the names of the table (the tools themselves load on the first call)', () => {
    assert.deepEqual(
      [...folderToolNames],
      folderTools.map((entry) => entry.name),
    );
  });

  it('takes the core schema without its workspace argument (the tool fills it in)', () => {
    const schema = folderInputSchema(tool('workspace_exec').core);
    assert.deepEqual(Object.keys(schema.properties as object), ['command', 'cwd', 'timeout_seconds']);
    assert.deepEqual(schema.required, ['command']);
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.$schema, undefined);
    // A tool whose only required argument was the workspace has no required list at all.
    assert.equal(folderInputSchema(tool('workspace_logs').core).required, undefined);
    for (const entry of folderTools) assert.ok(!('workspace' in (folderInputSchema(entry.core).properties as object)), entry.name);
  });

  describe('the messages before a call', () => {
    const folder = '/home/dev/shop';
    const existing: CallTarget = { folder, level: 'standard', mount: 'auto', workspace: { name: 'shop', level: 'strict', state: 'running' } };
    const none: CallTarget = { folder, level: 'standard', mount: 'auto' };
    const exec = tool('workspace_exec');

    it('say what runs where', () => {
      assert.equal(invocationMessage(exec, { command: 'npm test' }, existing), 'Running `npm test` in workspace shop (strict)');
      assert.equal(invocationMessage(exec, { command: 'ls', cwd: 'src' }, existing), 'Running `ls` in src in workspace shop (strict)');
      assert.equal(invocationMessage(tool('workspace_read_file'), { path: 'a.txt' }, existing), 'Reading a.txt in workspace shop (strict)');
      assert.equal(invocationMessage(exec, { command: 'npm test' }, none), 'Running `npm test` in a new workspace for /home/dev/shop (standard)');
    });

    it('say that a stopped workspace is started first, for the tools that need it running', () => {
      const exited: CallTarget = { ...existing, workspace: { name: 'shop', level: 'strict', state: 'exited' } };
      assert.equal(invocationMessage(exec, { command: 'make' }, exited), 'Running `make` in workspace shop (strict), after starting it');
      assert.equal(invocationMessage(tool('workspace_logs'), {}, exited), "Reading the box's log in workspace shop (strict)");
    });

    it('ask for a confirmation only when the call creates the workspace, naming folder and level and what runs then', () => {
      assert.equal(createConfirmation(exec, { command: 'npm test' }, existing), undefined);
      const asked = createConfirmation(exec, { command: 'npm test' }, none);
      assert.ok(asked);
      assert.equal(asked.title, 'Create an AICLI workspace for /home/dev/shop at level standard?');
      assert.match(
        asked.message,
        /^An agent's call of aicli_workspace_exec needs this folder's workspace, and there is none yet\. Confirming creates it: an isolated container with your AICLI settings/,
      );
      assert.match(asked.message, /nothing reaches your files until you review and apply/);
      assert.match(asked.message, /Then, in that workspace: running `npm test`\.$/);
      assert.match(createConfirmation(exec, { command: 'x' }, { ...none, mount: 'bind' })!.message, /writes to the folder itself/);
    });
  });
});
