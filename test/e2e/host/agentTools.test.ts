// Agents in the box from VS Code, in the extension host on a real engine: the language-model tools
// act on the open folder's workspace (made on the first call), and the copied MCP configuration
// starts a server the SDK's client can talk to. The chat UI cannot be driven here (code-server has
// no chat model offline), so the tests call vscode.lm.invokeTool, as a chat participant does.
// In a test run VS Code answers the create confirmation itself (its dialog service shows no dialog
// while extension tests run): the UI test ui/agentTools.test.ts sees and answers the real one.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { realpathSync, statSync } from 'fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { Workspace } from '../../../src/workspace/model';
import { folderUser } from '../../support/folders';
import { activeApi, defaultScope, labelCreations, sweep } from './support';

/** The text parts of a tool's result. */
function resultText(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

function invokeExec(command: string, token?: vscode.CancellationToken): Thenable<vscode.LanguageModelToolResult> {
  return vscode.lm.invokeTool('aicli_workspace_exec', { input: { command }, toolInvocationToken: undefined }, token);
}

/** Rejects when `work` takes longer than `ms` (a confirmation nobody answers would hang the call). */
function within<T>(ms: number, what: string, work: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([Promise.resolve(work), late]).finally(() => clearTimeout(timer));
}

describe("Language-model tools on the open folder's workspace (real engine)", function () {
  this.timeout(180_000);
  let api: AicliApi;
  let folder: string;
  /** What workspaces record as their folder. */
  let realFolder: string;
  let owner: { uid: number; gid: number };

  const folderWorkspaces = async (): Promise<Workspace[]> => (await defaultScope(api).service.list()).filter((ws) => ws.folder === realFolder);

  before(async () => {
    api = await activeApi();
    await labelCreations();
    await defaultScope(api).engine.connection();
    folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    realFolder = realpathSync(folder);
    // The box runs as the folder's owner: for these tests the ordinary user of a real machine, then back.
    owner = statSync(folder);
    execFileSync('chown', ['-R', `${folderUser.uid}:${folderUser.gid}`, folder]);
    assert.deepStrictEqual(await folderWorkspaces(), [], 'the open folder already has a workspace');
  });

  after(async () => {
    if (api) {
      for (const workspace of await folderWorkspaces()) await defaultScope(api).service.remove(workspace.containerId);
      await sweep(api);
    }
    if (folder && owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, folder]);
  });

  it("creates the open folder's workspace on the first call, with the settings' level, and runs the command in it", async () => {
    const result = await within(150_000, 'the first exec', invokeExec('echo $((6*7))'));

    const text = resultText(result);
    assert.match(text, /^Created workspace \S+ \(running, level standard, mount review\)/, text);
    assert.match(text, /Exit code 0 /);
    assert.match(text, /--- stdout ---\n42\n/);
    const [workspace, ...others] = await folderWorkspaces();
    assert.ok(workspace && others.length === 0, `one workspace for the folder, not ${others.length + (workspace ? 1 : 0)}`);
    assert.strictEqual(workspace.state, 'running');
    assert.strictEqual(workspace.level, 'standard');
  });

  it('runs later calls in the same workspace, as the folder owner', async () => {
    const result = await within(30_000, 'an exec in the existing workspace', invokeExec('id -u; pwd'));
    assert.match(resultText(result), /--- stdout ---\n1000\n\/workspace\n/);
    assert.strictEqual((await folderWorkspaces()).length, 1);
  });

  it('writes and reads a file in the box, and turns a refusal into a tool error the model can act on', async () => {
    const write = await vscode.lm.invokeTool('aicli_workspace_write_file', {
      input: { path: 'notes/agent.txt', content: 'from the agent\n' },
      toolInvocationToken: undefined,
    });
    assert.match(resultText(write), /^Wrote 15 bytes to notes\/agent\.txt in /);
    const read = await vscode.lm.invokeTool('aicli_workspace_read_file', { input: { path: 'notes/agent.txt' }, toolInvocationToken: undefined });
    assert.strictEqual(resultText(read), 'from the agent\n');
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool('aicli_workspace_read_file', { input: { path: '../etc/passwd' }, toolInvocationToken: undefined })),
      /"\.\.\/etc\/passwd" is outside \/workspace/,
    );
  });

  it('Copy MCP Server Configuration puts an entry on the clipboard that starts a server the SDK client lists the tools of', async () => {
    await vscode.commands.executeCommand('aicli.copyMcpConfig', 'mcpServers');
    const config = JSON.parse(await vscode.env.clipboard.readText()) as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    const entry = config.mcpServers['aicli-workspaces'];
    assert.ok(entry, JSON.stringify(config));
    assert.strictEqual(entry.command, process.execPath);
    assert.deepStrictEqual(entry.args.slice(1, 4), ['mcp', '--level', 'standard']);
    assert.ok(entry.args.join(' ').includes(`--folder-root ${folder}`), entry.args.join(' '));
    assert.strictEqual(entry.env.DOCKER_HOST, process.env.DOCKER_HOST);

    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: entry.env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'aicli-host-test', version: '1.0.0' });
    try {
      await within(30_000, 'connecting to the server', client.connect(transport));
      const { tools } = await client.listTools();
      assert.ok(
        tools.some((tool) => tool.name === 'workspace_exec'),
        `tools: ${tools.map((tool) => tool.name).join(', ')}; stderr: ${stderr}`,
      );
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; the server said: ${stderr}`, { cause: err });
    } finally {
      await client.close();
    }
  });
});
