import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { collectEngineReport, formatEngineReport } from '../engine/report';

export const engineInfoScheme = 'aicli-info';
export const engineInfoUri = vscode.Uri.from({ scheme: engineInfoScheme, path: '/Docker Engine.txt' });

/** A read-only document with the doctor report; built on open, never cached stale. */
export class EngineInfoDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly engine: Engine) {}

  async provideTextDocumentContent(): Promise<string> {
    const connection = await this.engine.connection();
    const report = await collectEngineReport(connection);
    return `AICLI Workspaces — Docker engine\n\n${formatEngineReport(report).join('\n')}\n`;
  }

  /** Rebuilds an open document, e.g. after a reconnect. */
  refresh(): void {
    this.changeEmitter.fire(engineInfoUri);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
