// Egress from inside the box, tried as an attacker would, on the real engine: the host's own
// services, the fake internet (a namespace of ours on 198.18.0.0/15), link-local routes, the
// allow-list before and after DNS. Traffic goes only to our listeners, containers and namespace;
// for the metadata address we assert routes and rules, and send nothing.
import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { IsolationLevel } from '../../src/isolation/levels';
import { gatewayNameFor, insideAddresses } from '../../src/workspace/gateway';
import { Workspace } from '../../src/workspace/model';
import { createFakeInternet, FakeInternet, hostAddresses, Listener, readFromHost, startHostListener } from '../support/fakeInternet';
import { countTestResources, execIn, workspaceFixture } from './support';

describe('egress from inside the box (real engine)', function () {
  this.timeout(120_000);
  const fixture = workspaceFixture();
  const hostPort = 47_000 + (process.pid % 1000);
  const webPort = 8080;
  let hostListener: Listener;
  let internet: FakeInternet;

  before(async () => {
    hostListener = await startHostListener(hostPort);
    internet = createFakeInternet(process.pid);
    await internet.listen(webPort, 'fake-internet');
  });
  after(() => {
    hostListener?.stop();
    internet?.remove();
  });

  async function create(name: string, level: IsolationLevel, extra: { egress?: string; allow?: string[] } = {}): Promise<Workspace> {
    const { workspace } = await fixture.service.create({ folder: fixture.folder(), name: `${name}-${process.pid}`, level, ...extra });
    return workspace;
  }

  /** What the box reads from host:port with busybox nc (empty when refused). */
  async function readFromBox(workspace: Workspace, host: string, port: number): Promise<string> {
    const result = await execIn(fixture.service, workspace.name, ['sh', '-c', `nc -w 3 ${host} ${port} </dev/null`]);
    return result.stdout.trim();
  }

  async function inGateway(workspace: Workspace, command: string[], user = 'root'): Promise<string> {
    const exec = await fixture.connection.docker
      .getContainer(gatewayNameFor(workspace.id))
      .exec({ Cmd: command, AttachStdout: true, AttachStderr: true, User: user });
    const stream = await exec.start({ hijack: true, stdin: false });
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    fixture.connection.docker.modem.demuxStream(stream, sink, sink);
    await new Promise((resolve) => stream.once('end', resolve));
    return output;
  }

  /** Test DNS: the gateway's own resolver reads its hosts file again on SIGHUP (sent as its user). */
  async function nameInGateway(workspace: Workspace, entry: string): Promise<void> {
    await inGateway(workspace, ['/bin/busybox', 'sh', '-c', `echo "${entry}" >> /etc/hosts`]);
    await inGateway(workspace, ['/bin/busybox', 'killall', '-HUP', 'dnsmasq'], 'nobody');
  }

  async function subnetOf(workspace: Workspace): Promise<string> {
    const network = await fixture.connection.docker.getNetwork(workspace.network).inspect();
    return network.IPAM?.Config?.[0]?.Subnet as string;
  }

  it('the host answers its own listener on every address (positive control)', async () => {
    const addresses = ['127.0.0.1', ...hostAddresses()];
    for (const address of addresses) assert.equal(await readFromHost(address, hostPort), 'host-service', address);
  });

  // sandboxed: gVisor in the box's own network namespace (its sockets on the host kernel's stack there, see scripts/engine/private.mjs).
  for (const level of ['basic', 'standard', 'strict', 'sandboxed'] as IsolationLevel[]) {
    it(`${level}: a host listener on 0.0.0.0 is refused on every host address, the box's gateway included`, async () => {
      const workspace = await create(`host-${level}`, level, { egress: 'open' });
      const { boxGateway, gatewayIp } = insideAddresses(await subnetOf(workspace));
      for (const address of [...hostAddresses(), boxGateway, gatewayIp]) {
        assert.equal(await readFromBox(workspace, address, hostPort), '', `the box reached the host's listener at ${address}`);
      }
      // Positive control from the same box: the outside answers in open mode, so the refusals above are the policy's.
      assert.equal(await readFromBox(workspace, internet.address, webPort), 'fake-internet');
    });
  }

  it('routes: the box has no route to link-local space except through its gateway, which refuses it; no IPv6', async () => {
    const workspace = await create('routes', 'standard', { egress: 'open' });
    const { boxGateway } = insideAddresses(await subnetOf(workspace));
    const routes = (await execIn(fixture.service, workspace.name, ['ip', 'route'])).stdout.trim().split('\n');
    assert.deepEqual(
      routes.map((route) => route.trim().split(/\s+/).slice(0, 3).join(' ')).sort(),
      [`${await subnetOf(workspace)} dev eth0`, `default via ${boxGateway}`].sort(),
    );
    const metadata = (await execIn(fixture.service, workspace.name, ['ip', 'route', 'get', '169.254.169.254'])).stdout;
    assert.match(metadata, new RegExp(`via ${boxGateway.replace(/\./g, '\\.')} dev eth0`));
    const refused = await inGateway(workspace, ['/usr/sbin/nft', 'list', 'set', 'inet', 'aicli', 'refused4']);
    assert.match(refused, /169\.254\.0\.0\/16/);
    const rules = await inGateway(workspace, ['/usr/sbin/nft', 'list', 'chain', 'inet', 'aicli', 'egress']);
    assert.match(rules, /ip daddr @refused4 goto refuse/);
    const ipv6 = await execIn(fixture.service, workspace.name, ['cat', '/proc/sys/net/ipv6/conf/all/disable_ipv6']);
    assert.equal(ipv6.stdout.trim(), '1');
  });

  it('none refuses the fake internet; open lets it through (auto: strict and sandboxed → none, basic → open)', async () => {
    const strict = await create('none', 'strict');
    assert.equal(strict.labels['aicli.workspace.egress'], 'none');
    assert.equal(await readFromBox(strict, internet.address, webPort), '');
    const sandboxed = await create('none-gv', 'sandboxed');
    assert.equal(sandboxed.labels['aicli.workspace.egress'], 'none');
    assert.equal(await readFromBox(sandboxed, internet.address, webPort), '');
    const basic = await create('open', 'basic');
    assert.equal(basic.labels['aicli.workspace.egress'], 'open');
    assert.equal(await readFromBox(basic, internet.address, webPort), 'fake-internet');
  });

  it("allowlist: only a listed name answers, not an unlisted one, nor the listed name's address used directly", async () => {
    const workspace = await create('allow', 'standard', { allow: ['allowed.test'] });
    assert.equal(workspace.labels['aicli.workspace.egress'], 'allowlist');
    // Test DNS: the gateway's hosts file names both hosts (its own resolver reads it).
    await nameInGateway(workspace, `${internet.address} allowed.test other.test`);
    assert.equal(await readFromBox(workspace, internet.address, webPort), '', 'the address answered before its name was used');
    assert.equal(await readFromBox(workspace, 'other.test', webPort), '', 'an unlisted name answered');
    assert.equal(await readFromBox(workspace, 'allowed.test', webPort), 'fake-internet', 'the listed name did not answer');
  });

  it('a listed name that resolves to a forbidden address is still refused', async () => {
    const workspace = await create('rebind', 'standard', { allow: ['sneaky.test'] });
    const { boxGateway } = insideAddresses(await subnetOf(workspace));
    const hostAddress = hostAddresses()[0]!;
    await nameInGateway(workspace, `${hostAddress} sneaky.test`);
    const resolved = await execIn(fixture.service, workspace.name, ['nslookup', 'sneaky.test']);
    assert.match(resolved.stdout, new RegExp(hostAddress.replace(/\./g, '\\.')), 'the name did not resolve, so the test proves nothing');
    assert.equal(await readFromBox(workspace, 'sneaky.test', hostPort), '');
    assert.ok(boxGateway);
  });

  it('an invalid host pattern or CIDR is refused before anything is created, naming the entry', async () => {
    const before = await countTestResources(fixture.connection.docker);
    for (const entry of ['exa mple.com', '10.0.0.0/33', 'foo.*.com', '300.1.2.3']) {
      await assert.rejects(
        fixture.service.create({ folder: fixture.folder(), name: `bad-${process.pid}`, allow: [entry] }),
        (err: Error) => err.name === 'InputError' && err.message.includes(`"${entry}"`),
      );
    }
    await assert.rejects(
      fixture.service.create({ folder: fixture.folder(), name: `bad-${process.pid}`, egress: 'sometimes' }),
      /Egress "sometimes" is not one of/,
    );
    assert.deepEqual(await countTestResources(fixture.connection.docker), before);
  });
});
