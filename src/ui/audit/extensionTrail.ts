import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { auditDirectory } from '../../audit/location';
import { AuditTrail } from '../../audit/trail';
import { cachedSettings, readAuditEnabled } from '../settings';

/**
 * The extension's audit trail: the folder aicli-ws and the MCP server write too (AICLI_STATE_DIR
 * moves it for all of them), records the user's unless they say otherwise, on while
 * aicli.audit.enabled is. The setting is read on every record, so it is cached: the monitor
 * records alerts as they come.
 */
export function extensionAuditTrail(log: vscode.LogOutputChannel): { trail: AuditTrail; subscription: vscode.Disposable } {
  const enabled = cachedSettings(['aicli.audit'], readAuditEnabled);
  const trail = new AuditTrail({
    directory: auditDirectory(process.env, homedir()),
    via: 'extension',
    actor: 'user',
    enabled: enabled.get,
    // The trail tells once per failing streak (a full disk fails every record): a notice is not a flood.
    onError: (message) => {
      log.warn(message);
      void vscode.window.showWarningMessage(`AICLI: ${message}`);
    },
  });
  return { trail, subscription: enabled.subscription };
}
