import { z } from 'zod';
import { auditWorkspace } from '../../audit/sink';
import { InputError } from '../../engine/errors';
import { boxExec, BoxExecResult } from '../boxExec';
import { boxPath } from '../boxPaths';
import { defineTool, runningWorkspace, workspaceArgument } from '../tool';

/** The marker a capped stream ends with: says what was cut and how to see the rest. */
export function truncationNote(dropped: number, stream: string, cap: number): string {
  return dropped > 0 ? `\n[truncated: ${dropped} more bytes of ${stream} not shown (cap ${cap} bytes); write the output to a file and read parts of it]` : '';
}

function resultText(result: BoxExecResult, cap: number, timeoutSeconds: number): string {
  const head = result.timedOut
    ? `Timed out after ${timeoutSeconds} s: the command and every process it started were killed in the box.`
    : `Exit code ${result.exitCode ?? 'unknown'} (${result.durationMs} ms).`;
  const section = (title: string, text: string, dropped: number): string => `--- ${title} ---\n${text || '(empty)'}${truncationNote(dropped, title, cap)}`;
  return [head, section('stdout', result.stdout, result.droppedStdout), section('stderr', result.stderr, result.droppedStderr)].join('\n');
}

export const workspaceExec = defineTool({
  name: 'workspace_exec',
  title: 'Run a command in a workspace',
  description:
    "Runs a shell command (sh -c) in the workspace, as the box's user, in /workspace or a folder below it. Returns exit code, stdout and stderr (each capped; a marker says what was cut). A command that outlives its timeout is killed in the box with everything it started.",
  input: z.strictObject({
    workspace: workspaceArgument,
    command: z.string().min(1).describe('Shell command line, run with sh -c.'),
    cwd: z.string().optional().describe('Working folder, relative to /workspace or absolute under it (default /workspace).'),
    timeout_seconds: z
      .number()
      .positive()
      .optional()
      .describe('Seconds before the command is killed (default 60; at most the limit the person set, 600 unless they changed it).'),
  }),
  readOnly: false,
  destructive: false,
  async run(host, args, call) {
    const { policy } = host;
    const timeoutSeconds = args.timeout_seconds ?? policy.defaultTimeoutSeconds;
    if (timeoutSeconds > policy.maxTimeoutSeconds) {
      throw new InputError(
        'timeout_seconds',
        `timeout_seconds ${timeoutSeconds} is over the maximum of ${policy.maxTimeoutSeconds}; ask for ${policy.maxTimeoutSeconds} or less.`,
      );
    }
    const cwd = boxPath(args.cwd ?? '.');
    const workspace = await runningWorkspace(host, args.workspace);
    // An exec like any other in the trail (the tool call's own record comes after it).
    const session = host.scope.audit.session('exec', auditWorkspace(workspace), { command: args.command, cwd });
    const result = await boxExec(await host.scope.connection(), workspace, {
      command: args.command,
      cwd,
      timeoutMs: timeoutSeconds * 1000,
      capBytes: policy.outputCapBytes,
      signal: call.signal,
    }).catch((err: unknown) => {
      session.end({ error: err });
      throw err;
    });
    session.end(result.timedOut ? { error: `timed out after ${timeoutSeconds} s, killed in the box` } : { exitCode: result.exitCode });
    return {
      text: resultText(result, policy.outputCapBytes, timeoutSeconds),
      data: { ...result, exitCode: result.exitCode ?? null, truncated: result.droppedStdout + result.droppedStderr > 0 },
      isError: result.timedOut,
      workspace: workspace.name,
      summary: result.timedOut ? `timed out after ${timeoutSeconds} s, killed` : `exit ${result.exitCode}`,
    };
  },
});
