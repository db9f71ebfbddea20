import { homedir } from 'node:os';
import { join } from 'node:path';
import { stateDirectory } from '../../audit/location';

/**
 * The metrics history's part of the state folder every front end shares (AICLI_STATE_DIR, else
 * the XDG state folder: one rule, the audit trail's): one file and one lock per workspace.
 */
export function metricsHistoryDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(stateDirectory(env, home), 'metrics');
}
