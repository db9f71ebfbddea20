import * as vscode from 'vscode';
import { EngineLog } from '../engine/connection';

/** The extension's own log, "AICLI Workspaces", with levels the user can filter. */
export function createLog(): { channel: vscode.LogOutputChannel; engineLog: EngineLog } {
  const channel = vscode.window.createOutputChannel('AICLI Workspaces', { log: true });
  const engineLog: EngineLog = {
    trace: (message) => channel.trace(message),
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message) => channel.error(message),
  };
  return { channel, engineLog };
}
