// `node dist/cli.js ARGS` as a user runs it: exit code, stdout and stderr, a failure included.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath } from './paths';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const run = promisify(execFile);

export function aicli(...args: string[]): Promise<CliResult> {
  return aicliWithEnv(process.env, ...args);
}

/** The same with this environment (DOCKER_CONFIG, PATH…). */
export async function aicliWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
