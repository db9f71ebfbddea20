import * as vscode from 'vscode';
import { defaultEngineSettings, EngineSettings } from '../engine/target';

/** The one place that reads aicli.* settings and turns them into core types. */
export function readEngineSettings(): EngineSettings {
  const config = vscode.workspace.getConfiguration('aicli.docker');
  const tlsVerify = config.get<string>('tlsVerify', defaultEngineSettings.tlsVerify);
  return {
    host: config.get<string>('host', '').trim(),
    apiVersion: config.get<string>('apiVersion', '').trim(),
    timeoutMs: config.get<number>('timeout', defaultEngineSettings.timeoutMs),
    tlsVerify: tlsVerify === 'on' || tlsVerify === 'off' ? tlsVerify : 'auto',
    certPath: config.get<string>('certPath', '').trim(),
  };
}

export function affectsEngineSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('aicli.docker');
}
