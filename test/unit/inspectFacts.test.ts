import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { auditContainer, AuditedContainer, AuditPolicy } from '../../src/monitor/audit';
import { defaultBlockedPorts } from '../../src/isolation/ports';
import { inspectFacts } from '../../src/monitor/inspectFacts';
import { policySecurityLines } from '../../src/ui/monitor/policyLines';
import { repoRoot } from '../support/paths';

const fixtures = resolve(repoRoot, 'test', 'fixtures', 'inspect');
type Recorded = AuditedContainer & { HostConfig: NonNullable<AuditedContainer['HostConfig']> };
/** Recorded from this engine: workspaces made by WorkspaceService (see monitorAudit.test.ts). */
const recorded = (name: string): Recorded => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
const engineSocket = '/root/.cache/aicli-workspaces/engine/docker.sock';

interface Case {
  name: string;
  container: Recorded;
  /** The engine's own socket(s) besides /var/run/docker.sock (what the monitor and the document are told). */
  engineSockets?: string[];
}

function variant(name: string, change: (c: Recorded) => void, engineSockets?: string[]): Case {
  const container = recorded('standard-workspace.json');
  change(container);
  return { name, container, engineSockets };
}

const withSecurityOpt =
  (...options: string[]) =>
  (c: Recorded): void => {
    c.HostConfig.SecurityOpt = options;
  };

const cases: Case[] = [
  { name: 'recorded standard workspace', container: recorded('standard-workspace.json') },
  { name: 'recorded strict workspace', container: recorded('strict-workspace.json') },
  variant('no-new-privileges:true', withSecurityOpt('no-new-privileges:true')),
  variant('no-new-privileges=1 (the engine parses it as a Go bool)', withSecurityOpt('no-new-privileges=1')),
  variant('no-new-privileges:TRUE', withSecurityOpt('no-new-privileges:TRUE')),
  variant('no-new-privileges=false', withSecurityOpt('no-new-privileges=false')),
  variant('seccomp=unconfined', withSecurityOpt('no-new-privileges', 'seccomp=unconfined')),
  variant('seccomp:unconfined (the deprecated separator)', withSecurityOpt('no-new-privileges', 'seccomp:unconfined')),
  variant('privileged', (c) => {
    c.HostConfig.Privileged = true;
  }),
  variant('engine socket in Mounts', (c) => {
    c.Mounts = [...(c.Mounts ?? []), { Source: engineSocket }];
  }),
  variant('engine socket only in HostConfig.Binds', (c) => {
    c.HostConfig.Binds = [`${engineSocket}:/var/run/docker.sock:rw`];
  }),
  variant('a folder holding the socket (/var/run)', (c) => {
    c.Mounts = [...(c.Mounts ?? []), { Source: '/var/run' }];
  }),
  variant(
    'the engine socket under another name',
    (c) => {
      c.HostConfig.Mounts = [...(c.HostConfig.Mounts ?? []), { Source: '/run/user/1000/podman/podman.sock' }];
      c.Mounts = [...(c.Mounts ?? []), { Source: '/run/user/1000/podman/podman.sock' }];
    },
    ['/run/user/1000/podman/podman.sock'],
  ),
  variant('host pid namespace', (c) => {
    c.HostConfig.PidMode = 'host';
  }),
  variant('host uts namespace', (c) => {
    c.HostConfig.UTSMode = 'host';
  }),
];

const policy = (engineSockets: string[]): AuditPolicy => ({ level: 'standard', blockedPorts: defaultBlockedPorts, engineSockets, allowEngineSocket: false });
/** What a message or a line lists in parentheses / after "HOST": compared as sets. */
const listed = (text: string | undefined, pattern: RegExp): string[] => (pattern.exec(text ?? '')?.[1] ?? '').split(/,\s*/).filter(Boolean).sort();

describe('the policy document and the configuration audit read an inspect the same way', () => {
  for (const { name, container, engineSockets = [engineSocket] } of cases) {
    it(name, () => {
      const findings = auditContainer(container, policy(engineSockets));
      const finding = (rule: string): string | undefined => findings.find((f) => f.rule === rule)?.message;
      const lines = policySecurityLines(container, engineSockets);
      const says = {
        privileged: !!finding('audit.privileged'),
        noNewPrivilegesOff: !!finding('audit.noNewPrivileges'),
        seccompUnconfined: !!finding('audit.seccomp'),
      };
      const shows = {
        privileged: lines.privileged === 'YES',
        noNewPrivilegesOff: lines.noNewPrivileges === 'OFF',
        seccompUnconfined: lines.seccomp === 'UNCONFINED',
      };
      assert.deepEqual(shows, says, `document ${JSON.stringify(lines)} vs audit ${JSON.stringify(findings.map((f) => f.rule))}`);
      assert.deepEqual(
        listed(lines.engineSocket, /^MOUNTED \((.*)\)$/),
        listed(finding('audit.engineSocket'), /socket is mounted \(([^)]*)\)/),
        'engine-socket mounts',
      );
      assert.deepEqual(listed(lines.hostNamespaces, /^HOST (.*)$/), listed(finding('audit.hostNamespaces'), /host's (.*) namespaces?:/), 'host namespaces');
    });
  }
});

describe('inspect facts read SecurityOpt the way the engine applies it', () => {
  const facts = (...options: string[]) => inspectFacts({ HostConfig: { SecurityOpt: options } }, []);

  it('the recorded workspaces: no-new-privileges on, our seccomp profile, nothing of the host', () => {
    for (const name of ['standard-workspace.json', 'strict-workspace.json']) {
      assert.deepEqual(
        inspectFacts(recorded(name), [engineSocket]),
        { privileged: false, noNewPrivileges: true, seccomp: 'aicli', engineSocketMounts: [], hostNamespaces: [] },
        name,
      );
    }
    assert.deepEqual(policySecurityLines(recorded('standard-workspace.json'), [engineSocket]), {
      privileged: 'no',
      engineSocket: 'not mounted',
      noNewPrivileges: 'on',
      seccomp: 'AICLI profile',
      hostNamespaces: 'none shared',
    });
  });

  it('no-new-privileges: bare, =<Go bool> or :<Go bool>, and the last one given wins', () => {
    for (const on of [
      ['no-new-privileges'],
      ['no-new-privileges=true'],
      ['no-new-privileges:1'],
      ['no-new-privileges=T'],
      ['no-new-privileges=false', 'no-new-privileges'],
    ]) {
      assert.equal(facts(...on).noNewPrivileges, true, on.join(' '));
    }
    for (const off of [[], ['no-new-privileges=false'], ['no-new-privileges:0'], ['no-new-privileges', 'no-new-privileges=false']]) {
      assert.equal(facts(...off).noNewPrivileges, false, off.join(' '));
    }
  });

  it('seccomp: unconfined, the engine default, our profile or another one; the last one given wins', () => {
    const ours = recorded('standard-workspace.json').HostConfig.SecurityOpt?.find((option) => option.startsWith('seccomp=')) ?? '';
    assert.equal(facts('seccomp:unconfined').seccomp, 'unconfined');
    assert.equal(facts(ours, 'seccomp=unconfined').seccomp, 'unconfined');
    assert.equal(facts('seccomp=unconfined', ours).seccomp, 'aicli');
    assert.equal(facts('seccomp={"defaultAction":"SCMP_ACT_ALLOW"}').seccomp, 'custom');
    assert.equal(facts('seccomp=builtin').seccomp, 'default');
    assert.equal(facts().seccomp, 'default');
    assert.equal(policySecurityLines({ HostConfig: { SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] } }, []).seccomp, 'custom profile');
  });
});
