// The audit trail's VS Code side in the extension host: a terminal session and a Run Command land
// in the trail with their exit codes, Export writes them as JSON lines (the save dialog answered
// the way automation answers it: the command takes { target }), Show Audit Trail shows them, and
// the Security view counts an alert raised by a memory hog, now and in the last 24 hours.
import * as assert from 'assert';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vscode from 'vscode';
import type { AuditRecord } from '../../../src/audit/record';
import type { AicliApi } from '../../../src/extension';
import { policyLineOf, policyUri } from '../../../src/ui/monitor/policyDocument';
import type { SecurityNode } from '../../../src/ui/security/securityNodes';
import type { Workspace } from '../../../src/workspace/model';
import { makeFolder, removeFolder } from '../../support/folders';
import { textSink } from '../../support/streams';
import { untilEvent } from '../../support/waits';
import { activeApi, defaultScope, labelCreations, sweep, until } from './support';

describe('Audit trail and Security view', function () {
  this.timeout(120_000);
  let api: AicliApi;
  let folder: string;
  let exportFolder: string;
  let workspace: Workspace;
  const name = `audit-${process.pid}`;
  const row = (): { kind: 'workspace'; workspace: Workspace } => ({ kind: 'workspace', workspace });
  const records = (type: string): AuditRecord[] => api.audit.read({ workspace: name, types: [type] });

  before(async () => {
    api = await activeApi();
    await labelCreations();
    folder = makeFolder('aicli-e2e-audit-', { owner: 'user', readme: '# audit\n' });
    exportFolder = mkdtempSync(join(tmpdir(), 'aicli-e2e-export-'));
    const created = (await vscode.commands.executeCommand('aicli.createWorkspace', {
      folder,
      name,
      image: 'aicli/base:latest',
      level: 'standard',
      resources: { memory: '32m' },
    })) as Workspace | undefined;
    assert.ok(created, 'create failed');
    workspace = created;
  });
  after(async () => {
    if (api) await sweep(api);
    removeFolder(folder);
    rmSync(exportFolder, { recursive: true, force: true });
  });

  it('records a terminal session from open to exit, with the shell and the exit code', async () => {
    const terminal = (await vscode.commands.executeCommand('aicli.openTerminal', row())) as vscode.Terminal;
    const start = await until('terminal.start', 15_000, () => records('terminal.start')[0]);
    assert.match(String(start.command), /sh/);
    terminal.sendText('exit 3');
    const end = await until('terminal.end', 15_000, () => records('terminal.end')[0]);
    assert.deepStrictEqual(
      [end.exitCode, end.session, end.actor, end.via, end.engine, end.workspace?.id],
      [3, start.session, 'user', 'extension', 'default', workspace.id],
    );
    assert.ok(Number(end.durationMs) >= 0);
    terminal.dispose();
  });

  it('records Run Command as an exec with its exit code', async () => {
    const code = await vscode.commands.executeCommand('aicli.runCommand', row(), 'echo audited; exit 4');
    assert.strictEqual(code, 4);
    const end = records('exec.end').find((record) => /echo audited; exit 4/.test(String(record.command)));
    assert.ok(end, 'no exec.end record of the command');
    assert.deepStrictEqual([end.exitCode, end.actor, end.outcome], [4, 'user', 'ok']);
  });

  it('exports the workspace’s records as JSON lines', async () => {
    const target = vscode.Uri.file(join(exportFolder, 'trail.jsonl'));
    const result = (await vscode.commands.executeCommand('aicli.exportAuditTrail', { target, workspace: name, range: 'hour' })) as { count: number };
    const lines = readFileSync(target.fsPath, 'utf8').split('\n').filter(Boolean);
    assert.strictEqual(lines.length, result.count);
    const exported = lines.map((line) => JSON.parse(line) as AuditRecord);
    const types = new Set(exported.map((record) => record.type));
    for (const type of ['workspace.create', 'terminal.start', 'terminal.end', 'exec.start', 'exec.end'])
      assert.ok(types.has(type as AuditRecord['type']), type);
    assert.ok(exported.every((record) => record.workspace?.name === name));
  });

  it('shows the trail of the workspace as a read-only table', async () => {
    const editor = (await vscode.commands.executeCommand('aicli.showAuditTrail', row())) as vscode.TextEditor;
    const text = editor.document.getText();
    assert.match(text, /^# AICLI audit trail: workspace audit-\d+: \d+ records/);
    assert.match(text, /terminal\.end\s+audit-\d+\s+user\s+exit 3/);
    assert.match(text, /exec\.end\s+audit-\d+\s+user\s+exit 4/);
  });

  it('counts an alert in the Security view, now and in the last 24 hours, each entry opening what is behind it', async () => {
    await vscode.commands.executeCommand('aicli.security.focus');
    const output = { stdout: textSink(() => undefined), stderr: textSink(() => undefined) };
    const hog = await defaultScope(api).service.exec(workspace.containerId, ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>/dev/null'], output);
    assert.strictEqual(hog, 0);
    const mine = (node: SecurityNode): boolean => node.kind === 'securityWorkspace' && node.entry.workspace.name === name;
    const [now, recent] = api.security.getChildren();
    const nowRow = await untilEvent('the alert in the Security view', 30_000, api.security.onDidRefresh, () =>
      api.security.getChildren(now).find((node) => mine(node) && node.kind === 'securityWorkspace' && node.entry.recent.alerts.total > 0),
    );
    assert.match(String(api.security.getTreeItem(now!).description), /^[1-9]\d* alerts? · /);
    assert.match(String(api.security.getTreeItem(nowRow).description), /1 warning/);
    const [alert] = api.security.getChildren(nowRow);
    const opens = api.security.getTreeItem(alert!).command!;
    assert.strictEqual(opens.command, 'vscode.open');
    assert.strictEqual(String(opens.arguments![0]), String(policyUri(workspace)));
    await vscode.commands.executeCommand(opens.command, ...opens.arguments!);
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, policyLineOf('memory'));

    const recentRow = api.security.getChildren(recent).find(mine);
    assert.ok(recentRow, 'no row of the workspace in the last 24 hours');
    const raised = api.security.getChildren(recentRow).find((node) => node.kind === 'recentCount' && node.what === 'alerts');
    assert.ok(raised?.kind === 'recentCount' && raised.count >= 1);
    const behind = api.security.getTreeItem(raised).command!;
    const editor = (await vscode.commands.executeCommand(behind.command, ...behind.arguments!)) as vscode.TextEditor;
    assert.match(editor.document.getText(), /alert\.raised\s+audit-\d+\s+monitor\s+warning resource_violation\/memory/);
    assert.doesNotMatch(editor.document.getText(), /terminal\.end/);
  });
});
