import * as vscode from 'vscode';
import { AuditTrail } from '../../audit/trail';
import { CommandContext } from '../commands/context';
import { registerCommand } from '../commands/kernel';
import { SecurityTreeProvider } from '../security/securityView';
import { AuditDocumentProvider, auditScheme } from './auditDocument';
import { registerAuditCommands } from './commands';

/**
 * The VS Code side of the audit trail: Show Audit Trail (read-only documents), Export Audit
 * Trail…, and the Security view, whose 24-hour counts open the documents behind them.
 */
export function registerAuditSupport(
  context: CommandContext,
  audit: { trail: AuditTrail; subscription: vscode.Disposable },
): { security: SecurityTreeProvider; subscriptions: vscode.Disposable[] } {
  const { trail } = audit;
  const documents = new AuditDocumentProvider(trail);
  const security = new SecurityTreeProvider(context.scopes, trail, { log: context.log });
  const view = vscode.window.createTreeView('aicli.security', { treeDataProvider: security, showCollapseAll: true });
  const showUpdated = (): void => {
    view.description = security.updatedText();
  };
  security.setVisible(view.visible);
  showUpdated();
  const subscriptions = [
    audit.subscription,
    security,
    view,
    view.onDidChangeVisibility((event) => security.setVisible(event.visible)),
    security.onDidRefresh(showUpdated),
    // Open audit documents follow the same changes (the records behind the counts grew).
    security.onDidRefresh(() => vscode.workspace.textDocuments.filter((doc) => doc.uri.scheme === auditScheme).forEach((doc) => documents.refresh(doc.uri))),
    registerCommand(context.log, 'aicli.security.refresh', 'Refresh the Security view', () => security.refresh()),
    ...registerAuditCommands(context, trail, documents),
  ];
  return { security, subscriptions };
}
