// Alerts in the extension host: a memory hog becomes a diagnostic on the workspace's policy
// document, the ticker shows the workspace, and the "raise the limit" quick fix clears it.
import * as assert from 'assert';
import { rmSync } from 'fs';
import { Writable } from 'stream';
import * as vscode from 'vscode';
import type { AicliApi } from '../../../src/extension';
import type { Workspace } from '../../../src/workspace/model';
import { policyLineOf, policyUri } from '../../../src/ui/monitor/policyDocument';
import { activeApi, labelCreations, projectFolder, sweep, until, defaultScope } from './support';

const sink = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

describe('Alerts, policy document and ticker', function () {
  this.timeout(90_000);
  let api: AicliApi;
  let folder: string;
  let workspace: Workspace;
  const name = `mon-${process.pid}`;

  before(async () => {
    api = await activeApi();
    await labelCreations();
    folder = projectFolder();
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
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows a memory hog as a resource_violation diagnostic on the memory line of the policy', async () => {
    const uri = policyUri(workspace);
    const hog = await defaultScope(api).service.exec(workspace.containerId, ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=28 2>/dev/null'], {
      stdout: sink(),
      stderr: sink(),
    });
    assert.strictEqual(hog, 0);
    const conditionAt = Date.now();
    const diagnostic = await until('the memory diagnostic', 20_000, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.code === 'resource_violation' && d.range.start.line === policyLineOf('memory')),
    );
    console.log(`      diagnostic shown ${Date.now() - conditionAt} ms after the hog finished`);
    assert.strictEqual(diagnostic.source, 'AICLI');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /Memory use is at \d+ % of the 32 MiB limit/);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.match(document.lineAt(policyLineOf('memory')).text, /^memory\s+limit 32 MiB, swap none$/);
  });

  it('shows the workspace in the status-bar ticker', async () => {
    const text = await until('the ticker text', 10_000, () =>
      api.ticker.text().includes(name) || api.ticker.text().includes('running') ? api.ticker.text() : undefined,
    );
    assert.match(text, /\d+% CPU · [\d.]+\/[\d.]+ [KMG]iB$/);
  });

  it('offers quick fixes, and raising the limit clears the alert', async () => {
    const uri = policyUri(workspace);
    const line = policyLineOf('memory');
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 1))) as vscode.CodeAction[];
    const titles = actions.map((action) => action.title);
    assert.deepStrictEqual(titles.slice(0, 4), [
      'Raise the memory limit of this workspace',
      'Pause this workspace',
      'Stop this workspace',
      'Open monitor settings',
    ]);
    const raise = actions[0]!.command!;
    await vscode.commands.executeCommand(raise.command, ...(raise.arguments ?? []));
    const connection = await defaultScope(api).engine.connection();
    assert.strictEqual((await connection.docker.getContainer(workspace.containerId).inspect()).HostConfig.Memory, 64 * 2 ** 20);
    await until('the alert to clear', 20_000, () => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'resource_violation') ? undefined : true));
  });
});
