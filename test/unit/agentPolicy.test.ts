import * as assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { boxPath, shownPath } from '../../src/agent/boxPaths';
import { agentFolder, agentLevel, agentMayUse, AgentPolicy, defaultAgentLimits } from '../../src/agent/policy';
import { agentTools, allAgentTools } from '../../src/agent/tools';
import { truncationNote } from '../../src/agent/tools/exec';
import { parseArgs } from '../../src/cli/args';
import { serverPolicy } from '../../src/mcp/main';

const policy = (level: AgentPolicy['level']): AgentPolicy => ({
  level,
  create: {},
  allowApply: false,
  ...defaultAgentLimits,
  defaultFolder: '/projects/app',
  folderRoots: ['/projects/app'],
});

describe('agent policy: what an agent may ask for', () => {
  it('takes the policy level, or a stricter one; a weaker one is refused naming what is allowed', () => {
    assert.equal(agentLevel(policy('standard'), undefined), 'standard');
    assert.equal(agentLevel(policy('standard'), 'strict'), 'strict');
    assert.equal(agentLevel(policy('basic'), 'standard'), 'standard');
    assert.throws(
      () => agentLevel(policy('standard'), 'basic'),
      /weaker than this server's policy \("standard"\): an agent may ask for standard, strict or sandboxed only/,
    );
    assert.throws(() => agentLevel(policy('strict'), 'standard'), /an agent may ask for strict or sandboxed only/);
    assert.throws(() => agentLevel(policy('basic'), 'lax'), /not one of basic, standard, strict, sandboxed/);
  });

  it('creates only for folders under the folder roots; / or the home folder is no root', () => {
    assert.equal(agentFolder(policy('standard'), '.'), '/projects/app');
    assert.equal(agentFolder(policy('standard'), 'web'), '/projects/app/web');
    assert.equal(agentFolder(policy('standard'), '/projects/app/api'), '/projects/app/api');
    for (const outside of ['/projects/other', '/projects/app-2', '..', '/home/user/.ssh']) {
      assert.throws(() => agentFolder(policy('standard'), outside), /is outside the folders this server lets agents use \(\/projects\/app\)/, outside);
    }
    assert.throws(() => agentFolder({ ...policy('standard'), folderRoots: ['/'] }, '/projects/app'), /folder root is \/, which is not a project folder/);
    assert.throws(() => agentFolder({ ...policy('standard'), folderRoots: [homedir()] }, 'x'), /--folder-root PROJECT/);
  });

  it("uses only workspaces of its roots at the server's level or stricter", () => {
    assert.equal(agentMayUse(policy('standard'), { level: 'strict', folder: '/projects/app/web' }), undefined);
    assert.match(
      agentMayUse(policy('standard'), { level: 'basic', folder: '/projects/app' }) ?? '',
      /runs at level basic, weaker than this server's policy \(standard\)/,
    );
    assert.match(agentMayUse(policy('standard'), { level: 'standard', folder: '/projects/other' }) ?? '', /outside this server's folder roots/);
  });

  it('keeps paths inside /workspace: relative, absolute below it, and .. that stays inside', () => {
    assert.equal(boxPath('src/main.ts'), '/workspace/src/main.ts');
    assert.equal(boxPath(''), '/workspace');
    assert.equal(boxPath('.'), '/workspace');
    assert.equal(boxPath('/workspace/'), '/workspace');
    assert.equal(boxPath('a/../b'), '/workspace/b');
    assert.equal(boxPath('/workspace/a/./b/'), '/workspace/a/b');
    assert.equal(shownPath('/workspace/a/b'), 'a/b');
    assert.equal(shownPath('/workspace'), '.');
    for (const outside of ['..', '../etc/passwd', '/etc/passwd', '/workspace/../root', '/workspacex/a', '/', 'a/../../x']) {
      assert.throws(() => boxPath(outside), /is outside \/workspace/, outside);
    }
    assert.throws(() => boxPath('a\0b'), /NUL/);
  });

  it('says what a cap cut, and nothing when it cut nothing', () => {
    assert.equal(truncationNote(0, 'stdout', 100), '');
    assert.match(truncationNote(5, 'stdout', 100), /\[truncated: 5 more bytes of stdout not shown \(cap 100 bytes\)/);
  });

  it('offers apply only when the person allowed it', () => {
    assert.ok(!agentTools({ allowApply: false }).some((tool) => tool.name === 'workspace_apply'));
    assert.ok(agentTools({ allowApply: true }).some((tool) => tool.name === 'workspace_apply'));
    assert.equal(new Set(allAgentTools.map((tool) => tool.name)).size, allAgentTools.length);
  });
});

describe('aicli-ws mcp flags → the server policy', () => {
  const parse = (...argv: string[]) =>
    parseArgs(
      ['mcp', ...argv],
      ['--level', '--folder-root', '--cpus', '--memory', '--pids', '--egress', '--allow', '--mount', '--image', '--output-cap', '--max-timeout'],
      ['--allow-apply'],
    );

  it('defaults: standard, apply off, 64 KiB cap, 60 s of 600 s, the working directory', () => {
    const made = serverPolicy(parse(), '/projects/app');
    assert.equal(made.level, 'standard');
    assert.equal(made.allowApply, false);
    assert.equal(made.outputCapBytes, 65536);
    assert.equal(made.defaultTimeoutSeconds, 60);
    assert.equal(made.maxTimeoutSeconds, 600);
    assert.equal(made.defaultFolder, '/projects/app');
    assert.deepEqual(made.folderRoots, ['/projects/app']);
    assert.deepEqual(serverPolicy(parse('--folder-root', 'web', '--folder-root', '/srv/api'), '/projects/app').folderRoots, ['/projects/app/web', '/srv/api']);
  });

  it("carries the person's limits, egress and mount into every create", () => {
    const made = serverPolicy(
      parse(
        '--level',
        'strict',
        '--cpus',
        '0.5',
        '--memory',
        '256m',
        '--egress',
        'allowlist',
        '--allow',
        'registry.npmjs.org',
        '--mount',
        'copy',
        '--allow-apply',
        '--max-timeout',
        '30',
      ),
      '/p',
    );
    assert.deepEqual(made.create, {
      image: undefined,
      resources: { cpus: '0.5', memory: '256m', pidsLimit: undefined },
      egress: 'allowlist',
      allow: ['registry.npmjs.org'],
      mount: 'copy',
    });
    assert.equal(made.level, 'strict');
    assert.equal(made.allowApply, true);
    assert.equal(made.defaultTimeoutSeconds, 30);
  });

  it('refuses bad flags before serving', () => {
    assert.throws(() => serverPolicy(parse('--memory', '1k'), '/p'), /below the engine's minimum/);
    assert.throws(() => serverPolicy(parse('--egress', 'everywhere'), '/p'), /Egress "everywhere" is not one of/);
    assert.throws(() => serverPolicy(parse('--output-cap', '0'), '/p'), /--output-cap "0" must be a whole number/);
    assert.throws(() => serverPolicy(parse('--allow', 'http://x'), '/p'));
  });
});
