// A workspace frozen half-way by a pause (the Docker 20.10 / runc bug, produced for real): the
// alert in Problems with the way out as quick fixes, Resume refusing to hang, and Resume
// working once the cgroup has been thawed.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { rmSync } from 'fs';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import { answersWithin, frozenMessageStart, thawLocally, unfreezeCommand, unfreezeScript } from '../../../src/monitor/frozen';
import { policyLineOf, policyUri } from '../../../src/ui/monitor/policyDocument';
import type { Workspace } from '../../../src/workspace/model';
import { freezeHalfway } from '../../support/freezeHalfway';
import { activeApi, labelCreations, projectFolder, sweep, until, untilTree, defaultScope } from './support';

describe('A workspace frozen half-way by a pause', function () {
  this.timeout(150_000);
  let api: AicliApi;
  let folder: string;
  let workspace: Workspace | undefined;
  const name = `frozen-${process.pid}`;

  before(async () => {
    api = await activeApi();
    await labelCreations();
    folder = projectFolder();
    workspace = (await vscode.commands.executeCommand('aicli.createWorkspace', { folder, name, image: 'aicli/base:latest', level: 'standard' })) as
      Workspace | undefined;
    assert.ok(workspace, 'create failed');
  });
  after(async () => {
    // never leave a frozen container behind: the sweep would hang on it
    if (workspace) await thawLocally(workspace.containerId);
    if (api) await sweep(api);
    rmSync(folder, { recursive: true, force: true });
  });

  async function node(): Promise<{ kind: 'workspace'; workspace: Workspace } | undefined> {
    const roots = await api.tree.getChildren();
    return roots.find((n): n is { kind: 'workspace'; workspace: Workspace } => n.kind === 'workspace' && n.workspace.name === name);
  }

  it('shows the alert with the way out, does not hang on Resume, and resumes after the unfreeze', async () => {
    const ws = workspace!;
    const connection = await defaultScope(api).engine.connection();
    const { round, execsDone } = await freezeHalfway(connection.untimed.getContainer(ws.containerId));
    assert.ok(round, 'the engine bug did not show up in 60 pauses: nothing to test against');
    console.log(`      frozen on pause #${round}`);

    const uri = policyUri(ws);
    const diagnostic = await until('the frozen diagnostic', 20_000, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.message.startsWith(frozenMessageStart)),
    );
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(diagnostic.code, 'process_anomaly');
    assert.strictEqual(diagnostic.range.start.line, policyLineOf('processes'));
    assert.ok(diagnostic.message.includes(`aicli-ws unfreeze ${name}`), diagnostic.message);

    // The policy document still opens (the engine's inspect of it hangs), with its lines.
    const document = await vscode.workspace.openTextDocument(uri);
    assert.match(document.lineAt(0).text, /the engine did not answer/);
    assert.match(document.lineAt(policyLineOf('processes')).text, /^processes\s+\?$/);
    const line = policyLineOf('processes');
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 1))) as vscode.CodeAction[];
    // Only the way out: pause and stop would hang on this container too.
    const frozenFixes = actions;
    assert.deepStrictEqual(
      frozenFixes.map((action) => action.title),
      ['Copy the command that unfreezes this workspace (run it as root on the engine host)', 'Unfreeze this workspace in a terminal (sudo)'],
    );
    const copy = frozenFixes[0]!.command!;
    await vscode.commands.executeCommand(copy.command, ...(copy.arguments ?? []));
    assert.strictEqual(await vscode.env.clipboard.readText(), unfreezeCommand(ws.containerId));

    // Resume now would hang on the engine: the command must come back and leave it paused.
    const before = Date.now();
    await vscode.commands.executeCommand('aicli.unpauseWorkspace', await node());
    const took = Date.now() - before;
    assert.ok(took < 10_000, `Resume came back after ${took} ms`);
    assert.strictEqual((await node())?.workspace.state, 'paused');
    assert.ok(
      vscode.languages.getDiagnostics(uri).some((d) => d.message.startsWith(frozenMessageStart)),
      'the alert stays while frozen',
    );

    // The way out, as root on this host (what the copied command runs after sudo), then Resume.
    execFileSync('sh', ['-c', unfreezeScript(ws.containerId)]);
    await vscode.commands.executeCommand('aicli.unpauseWorkspace', await node());
    await untilTree(api, 10_000, async () => ((await node())?.workspace.state === 'running' ? true : undefined));
    await until('the alert to clear', 10_000, () =>
      vscode.languages.getDiagnostics(uri).some((d) => d.message.startsWith(frozenMessageStart)) ? undefined : true,
    );
    assert.ok(await answersWithin(execsDone, 15_000), 'the execs caught by the pause finished');
  });
});
