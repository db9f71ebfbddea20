import * as assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args';
import { commands } from '../../src/cli/commands';
import { checkFlags, findCommand, main } from '../../src/cli/main';
import { globalBooleanFlags, globalValueFlags } from '../../src/cli/options';
import { CommandEngines } from '../../src/cli/scope';
import { usageText } from '../../src/cli/usage';

// The help text as aicli-ws printed it before the dispatcher wrote it from the table, plus create's
// --mount (the project mount of review mode) and its two description lines, the audit and stats
// verbs, and alerts --summary. It is what users see: a change to the table that changes it is
// meant to change this copy too (only the first test compares against it).
const helpText = `Usage: aicli-ws <command> [options]

Commands:
  doctor [--json]                     Check the engine: host, versions, cgroups, security features
  create --folder DIR [--name N] [--level basic|standard|strict|sandboxed] [--image I]
         [--cpus C] [--memory M] [--pids P] [--publish [IP:]HOST:CONTAINER]... [--env NAME=VALUE]...
         [--label K=V]...
         [--egress auto|none|allowlist|open] [--allow HOST|*.DOMAIN|CIDR]...
         [--mount auto|review|copy|bind] [--runtime auto|runc|runsc]
         [--health-timeout SECONDS] [--devcontainer FILE | --no-devcontainer] [--skip-features]
         [--json]
                                      --egress: what the box may reach (auto: basic open, standard
                                      allowlist, strict none); --allow: what allowlist lets through
                                      --mount: how the box sees the folder (auto: review on a local
                                      engine, copy on a remote one; bind: the folder itself)
                                      --runtime: runsc runs the box on gVisor (sandboxed: always; auto:
                                      sandboxed on runsc, the others on the engine's default)
                                      --env: a variable of the box (after the devcontainer.json's, which
                                      it overrides); WORKSPACE_ID and WORKSPACE_NAME are always set
                                      --health-timeout: wait for the image's own health check
                                      --devcontainer: the folder's .devcontainer/devcontainer.json is read
                                      unless --no-devcontainer: image or build, containerEnv, ports and
                                      lifecycle commands; what would weaken the level is refused;
                                      --skip-features: create without its features (not fetched offline)
  list [--json]                       Managed workspaces
  inspect NAME                        Engine inspect of a workspace's container (JSON)
  start|stop|restart|pause|unpause NAME
  unfreeze NAME                       As root on the engine's host: free a paused workspace the engine
                                      no longer answers for (an exec frozen half-way), then unpause it
  rm NAME... [--force]                Remove workspaces (container + network; the folder is kept);
                                      --force: also one with unapplied review changes (they are lost)
  allow NAME HOST...                  Let a workspace reach more hosts (names, *.domain, IPv4 CIDRs); kept with
                                      its egress gateway on the engine, applied by restarting the gateway
  exec NAME -- CMD [ARGS...]          Run a command in /workspace; its exit code is passed through
  diff NAME [--stat] [--json] [PATH...]
                                      What a review workspace changed against its folder: a unified diff
                                      (git diff style) on stdout; exit 3 when there are changes
  apply NAME [PATH...] [--all] [--include-protected] [--overwrite]
                                      Apply changes of a review workspace to its folder (as the folder’s owner):
                                      the PATHs, or --all (never protected paths nor conflicts);
                                      --include-protected / --overwrite: also those, when named; exit 3 if any are left
  discard NAME [PATH...]              Give a review workspace the folder’s copy back: of the PATHs, or of every change
  alerts [--json] [--wait SECONDS] [--processes] [--summary]
                                      Security and resource alerts of the managed workspaces: audit,
                                      SECONDS (default 3) of live stats, and with --processes the
                                      process/listener checks (an exec in each running workspace);
                                      --summary: counts by severity and type now and, from the audit
                                      trail, for the last 24 h, per workspace (the Security view)
  stats NAME [--range 1h|24h|7d] [--json]
                                      The latest sample of a workspace, its connections now (counted in the box) and
                                      its metrics history (1 s for an hour, min/avg/max per minute for 7 days),
                                      recorded while VS Code monitors it; kept in
                                      $AICLI_STATE_DIR/metrics (default: ~/.local/state/aicli-workspaces/metrics)
  audit [NAME] [--since 1h|30m|2d|ISO] [--type T]... [--json]
                                      The audit trail, oldest first: creates, lifecycle, execs, terminal
                                      sessions, agent tool calls, alerts raised and cleared, breach
                                      responses, refused egress, apply/discard; NAME: one workspace
                                      (name or id); --type: a type or its group (exec, alert.raised);
                                      --engine: that engine's only; --json: an array of the records.
                                      Kept in $AICLI_STATE_DIR/audit (default: under $XDG_STATE_HOME or
                                      ~/.local/state, aicli-workspaces/audit), shared with VS Code;
                                      AICLI_AUDIT=0: aicli-ws records nothing
  mcp [--level L] [--image I] [--cpus C] [--memory M] [--pids P]
      [--egress MODE] [--allow HOST]... [--mount MODE] [--label K=V]...
      [--folder-root DIR]... [--allow-apply] [--output-cap BYTES] [--max-timeout SECONDS]
                                      An MCP server on stdio for agents: workspaces at this policy
                                      (an agent may only ask for a stricter level); every call is
                                      logged on stderr; --folder-root: the folders agents may use
                                      (default: the working directory); --allow-apply: the agent
                                      may apply changes to the folder
  build CONTEXT --tag T [--file DOCKERFILE] [--label K=V]... [--json]
                                      Build an image (labelled aicli.managed=true) from a folder,
                                      honouring its .dockerignore; build output on stderr
  engines [--json]                    The default engine and those in AICLI_ENGINES, with health and load
  pull IMAGE [--json]                 Pull an image; each layer's progress on stderr (Ctrl+C cancels)
  images [--json]                     Local images with size and the workspaces that use them
  cleanup [--dry-run] [--max-age 7d] [--label K=V]... [--include-unapplied] [--json]
                                      Remove exited managed workspaces older than --max-age
                                      (container + network; folders are kept), orphaned managed
                                      networks, dangling managed images and unused managed volumes;
                                      --label limits it to resources with those labels too; a review
                                      workspace with unapplied changes is kept unless --include-unapplied

Options:
  --host HOST         Docker host (default: DOCKER_HOST, the current Docker context, the default socket)
  --engine NAME       An engine from AICLI_ENGINES (a JSON list like the aicli.engines setting);
                      create --engine auto places on the least-loaded engine that can isolate
  --api-version V     Docker API version (default: negotiated)
  --timeout MS        Request timeout in milliseconds (default: 10000)
  --json              Machine-readable output
  -h, --help          Show this help`;

/** Runs main() with console.log and console.error captured. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    const code = await main(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    Object.assign(console, { log, error });
  }
}

/** A socket path nothing listens on: an engine call there would fail with "no socket". */
const nowhere = ['--host', 'unix:///nonexistent/aicli-unit-test.sock'];

describe('aicli-ws dispatcher', () => {
  it('writes the same help text from the command table as before', async () => {
    assert.equal(usageText(commands), helpText);
    const help = await cli('--help');
    assert.deepEqual(help, { code: 0, stdout: helpText, stderr: '' });
    assert.deepEqual(await cli(), { code: 2, stdout: helpText, stderr: '' });
  });

  it('lists every verb of the table in the usage text, and each verb names only once', () => {
    const lines = usageText(commands).split('\n');
    const verbs = commands.flatMap((command) => command.names);
    assert.equal(new Set(verbs).size, verbs.length);
    for (const command of commands) {
      const head = `  ${command.names.join('|')} `;
      assert.ok(
        lines.some((line) => line.startsWith(head)),
        `no usage line starts with "${head}"`,
      );
      for (const verb of command.names) assert.equal(findCommand(verb), command);
    }
  });

  it("shows every flag a verb takes in that verb's own synopsis", () => {
    for (const command of commands) {
      const synopsis = command.synopsis.join(' ');
      for (const flag of [...(command.values ?? []), ...(command.booleans ?? [])]) {
        assert.ok(synopsis.includes(`${flag}`), `${command.names.join('|')} takes ${flag}, its synopsis does not show it`);
      }
    }
    const options = usageText(commands).split('\nOptions:\n')[1] ?? '';
    for (const flag of [...globalValueFlags, ...globalBooleanFlags]) assert.ok(options.includes(flag), `global ${flag} is not under Options`);
  });

  it('refuses an unknown verb, an unknown flag and a flag of another verb, with the usage', async () => {
    const usage = usageText(commands);
    const unknown = await cli('frobnicate', ...nowhere);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `Unknown command "frobnicate".\n\n${usage}`);
    const badFlag = await cli('list', '--nope');
    assert.equal(badFlag.code, 2);
    assert.equal(badFlag.stderr, `Unknown option --nope.\n\n${usage}`);
    const foreign = await cli('list', '--folder', '/tmp', ...nowhere);
    assert.equal(foreign.code, 2);
    assert.equal(foreign.stderr, `list does not take --folder.\n\n${usage}`);
    assert.throws(
      () => checkFlags(findCommand('rm'), 'rm', parseArgs(['rm', 'x', '--dry-run'], [], ['--dry-run'])),
      (err: unknown) => err instanceof UsageError && err.message === 'rm does not take --dry-run.',
    );
    checkFlags(findCommand('cleanup'), 'cleanup', parseArgs(['cleanup', '--dry-run', '--json'], [], ['--dry-run', '--json']));
  });

  it("checks a verb's own arguments before it reaches for an engine", async () => {
    const create = await cli('create', ...nowhere);
    assert.equal(create.code, 2);
    assert.match(create.stderr, /^create needs --folder DIR\.\n\nUsage:/);
    const exec = await cli('exec', 'ws', ...nowhere);
    assert.match(exec.stderr, /^exec needs a command after --/);
    const auto = await cli('--engine', 'auto', 'list');
    assert.equal(auto.code, 2);
    assert.match(auto.stderr, /^--engine auto only places new workspaces \(create\)/);
    const both = await cli('--engine', 'x', ...nowhere, 'list');
    assert.match(both.stderr, /^Use either --engine NAME or --host HOST, not both\./);
    // With the arguments right, the same host is reached and reported as not running.
    const list = await cli('list', ...nowhere);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /^Error: The Docker engine at unix:\/\/\/nonexistent\/aicli-unit-test\.sock is not running/);
  });
});

describe('CommandEngines: one scope per command', () => {
  const saved = process.env.AICLI_ENGINES;
  afterEach(() => {
    if (saved === undefined) delete process.env.AICLI_ENGINES;
    else process.env.AICLI_ENGINES = saved;
  });

  it('gives the engine of --engine NAME, of --host, or the default, named after it', async () => {
    process.env.AICLI_ENGINES = JSON.stringify([{ name: 'far', host: 'tcp://127.0.0.1:9' }]);
    const list = findCommand('list');
    const cases: [string[], string, string][] = [
      [['--engine', 'far', 'list'], 'far', 'tcp://127.0.0.1:9'],
      [[...nowhere, 'list'], 'default', 'unix:///nonexistent/aicli-unit-test.sock'],
      [['--engine', 'default', ...['--timeout', '500'], 'list'], 'default', ''],
    ];
    for (const [argv, name, host] of cases) {
      const engines = new CommandEngines(parseArgs(argv, [...globalValueFlags], [...globalBooleanFlags]));
      try {
        const scope = await engines.scopeFor(list);
        assert.equal(scope.name, name);
        assert.equal(scope.engineName, name === 'default' ? undefined : name);
        if (host) assert.equal(scope.engine.target?.host, host);
      } finally {
        engines.dispose();
      }
    }
  });

  it('refuses an engine AICLI_ENGINES does not have, naming those it has', async () => {
    process.env.AICLI_ENGINES = JSON.stringify([{ name: 'far', host: 'tcp://127.0.0.1:9' }]);
    const engines = new CommandEngines(parseArgs(['--engine', 'near', 'list'], [...globalValueFlags], []));
    await assert.rejects(
      engines.scopeFor(findCommand('list')),
      (err: unknown) => err instanceof UsageError && err.message === 'No engine named "near": AICLI_ENGINES has far.',
    );
    engines.dispose();
  });
});
