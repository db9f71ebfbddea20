import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { auditContainer, AuditedContainer, AuditPolicy, effectiveCapabilities } from '../../src/monitor/audit';
import { defaultBlockedPorts } from '../../src/isolation/ports';
import { repoRoot } from '../support/paths';

const fixtures = resolve(repoRoot, 'test', 'fixtures', 'inspect');
/** Recorded from this engine: workspaces made by WorkspaceService (standard and strict, 127.0.0.1:18080→8080). */
const recorded = (name: string): AuditedContainer & { HostConfig: NonNullable<AuditedContainer['HostConfig']> } =>
  JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

const engineSocket = '/root/.cache/aicli-workspaces/engine/docker.sock';
const policy = (overrides: Partial<AuditPolicy> = {}): AuditPolicy => ({
  level: 'standard',
  blockedPorts: defaultBlockedPorts,
  engineSockets: [engineSocket],
  allowEngineSocket: false,
  ...overrides,
});
const rules = (container: AuditedContainer, p = policy()): string[] => auditContainer(container, p).map((finding) => finding.rule);

describe('configuration audit on recorded inspects', () => {
  it('a standard workspace as we create it has no findings', () => {
    assert.deepEqual(auditContainer(recorded('standard-workspace.json'), policy()), []);
  });

  it('a strict workspace as we create it has no findings at strict', () => {
    assert.deepEqual(auditContainer(recorded('strict-workspace.json'), policy({ level: 'strict' })), []);
  });

  it('the standard workspace audited as strict has capabilities beyond the level', () => {
    const [finding] = auditContainer(recorded('standard-workspace.json'), policy({ level: 'strict' }));
    assert.equal(finding?.rule, 'audit.capabilities');
    assert.equal(finding?.severity, 'error');
    assert.match(finding?.message ?? '', /CHOWN, SETGID, SETUID/);
  });
});

describe('configuration audit on variants derived from the recorded standard workspace', () => {
  it('privileged → critical security_breach on the privileged line', () => {
    const c = recorded('standard-workspace.json');
    c.HostConfig.Privileged = true;
    const [finding] = auditContainer(c, policy());
    assert.deepEqual([finding?.rule, finding?.type, finding?.severity, finding?.policyItem], ['audit.privileged', 'security_breach', 'critical', 'privileged']);
  });

  it('engine socket: our engine socket, any *docker.sock, or a folder holding the socket', () => {
    for (const source of [engineSocket, '/var/run/docker.sock', '/home/me/.docker/run/docker.sock', '/var/run', '/root/.cache/aicli-workspaces/engine']) {
      const c = recorded('standard-workspace.json');
      c.Mounts = [...(c.Mounts ?? []), { Source: source }];
      const finding = auditContainer(c, policy()).find((f) => f.rule === 'audit.engineSocket');
      assert.equal(finding?.severity, 'critical', source);
      assert.equal(finding?.type, 'security_breach');
    }
    const binds = recorded('standard-workspace.json');
    binds.HostConfig.Binds = [`${engineSocket}:/var/run/docker.sock:rw`];
    assert.deepEqual(rules(binds), ['audit.engineSocket']);
  });

  it('an engine socket the user allowed is reported as an accepted warning', () => {
    const c = recorded('standard-workspace.json');
    c.Mounts = [{ Source: '/var/run/docker.sock' }];
    const [finding] = auditContainer(c, policy({ allowEngineSocket: true }));
    assert.equal(finding?.severity, 'warning');
    assert.equal(finding?.accepted, true);
  });

  it('host network/pid/ipc namespaces', () => {
    const ipc = recorded('standard-workspace.json');
    ipc.HostConfig.IpcMode = 'host';
    assert.equal(auditContainer(ipc, policy())[0]?.severity, 'error');
    const net = recorded('standard-workspace.json');
    Object.assign(net.HostConfig, { NetworkMode: 'host', PidMode: 'host' });
    const [finding] = auditContainer(net, policy());
    assert.equal(finding?.rule, 'audit.hostNamespaces');
    assert.equal(finding?.severity, 'critical');
    assert.match(finding?.message ?? '', /network, pid/);
  });

  it('capabilities: added beyond the level, SYS_ADMIN critical, and no CapDrop ALL means the engine defaults', () => {
    const added = recorded('standard-workspace.json');
    added.HostConfig.CapAdd = ['CHOWN', 'SETGID', 'SETUID', 'NET_RAW'];
    assert.equal(auditContainer(added, policy())[0]?.severity, 'error');
    const admin = recorded('standard-workspace.json');
    admin.HostConfig.CapAdd = ['CAP_SYS_ADMIN'];
    assert.equal(auditContainer(admin, policy())[0]?.severity, 'critical');
    const noDrop = recorded('standard-workspace.json');
    noDrop.HostConfig.CapDrop = [];
    assert.match(auditContainer(noDrop, policy())[0]?.message ?? '', /AUDIT_WRITE.*MKNOD.*NET_RAW/);
    assert.deepEqual(effectiveCapabilities(['chown'], ['ALL']), ['CHOWN']);
    assert.equal(effectiveCapabilities(null, null).length, 14);
  });

  it('no-new-privileges off and seccomp unconfined', () => {
    const c = recorded('standard-workspace.json');
    c.HostConfig.SecurityOpt = ['seccomp=unconfined'];
    assert.deepEqual(rules(c), ['audit.noNewPrivileges', 'audit.seccomp']);
    c.HostConfig.SecurityOpt = ['no-new-privileges:true', 'seccomp:unconfined'];
    assert.deepEqual(rules(c), ['audit.seccomp']);
    c.HostConfig.SecurityOpt = ['no-new-privileges=false'];
    assert.deepEqual(rules(c), ['audit.noNewPrivileges']);
  });

  it('published blocked ports and ports on all interfaces', () => {
    const c = recorded('standard-workspace.json');
    c.HostConfig.PortBindings = { '8080/tcp': [{ HostIp: '', HostPort: '8080' }], '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '2222' }] };
    c.NetworkSettings = {
      Ports: {
        '8080/tcp': [
          { HostIp: '0.0.0.0', HostPort: '8080' },
          { HostIp: '::', HostPort: '8080' },
        ],
      },
    };
    const findings = auditContainer(c, policy());
    assert.deepEqual(
      findings.map((f) => [f.rule, f.type, f.severity, f.policyItem]),
      [
        ['audit.blockedPorts', 'network_anomaly', 'error', 'ports'],
        ['audit.publicPorts', 'network_anomaly', 'warning', 'ports'],
      ],
    );
    assert.match(findings[0]?.message ?? '', /8080→8080/);
    assert.doesNotMatch(findings[0]?.message ?? '', /2222/, 'only the host side is checked');
  });

  it('everything wrong at once gives one finding per rule', () => {
    const c = recorded('standard-workspace.json');
    Object.assign(c.HostConfig, {
      Privileged: true,
      NetworkMode: 'host',
      CapAdd: ['ALL'],
      SecurityOpt: ['seccomp=unconfined'],
      PortBindings: { '22/tcp': [{ HostIp: '0.0.0.0', HostPort: '22' }] },
    });
    c.Mounts = [{ Source: '/' }];
    assert.deepEqual(rules(c), [
      'audit.privileged',
      'audit.engineSocket',
      'audit.hostNamespaces',
      'audit.capabilities',
      'audit.noNewPrivileges',
      'audit.seccomp',
      'audit.blockedPorts',
      'audit.publicPorts',
    ]);
  });
});
