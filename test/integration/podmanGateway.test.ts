// The gateway with the box in its network namespace, on Podman, whose bridges always give the
// host an address (sharedGatewayConfig.ts). Tested from inside the box outward: what a box user
// can reach on the host, the outside and the gateway's own resolvers, against a positive
// control each time. Traffic goes only to the host's own addresses and a fake-internet namespace.
import * as assert from 'node:assert/strict';
import { captureExec } from '../../src/engine/captureExec';
import { EngineConnection } from '../../src/engine/connection';
import { createContainer, removeContainer, startContainer } from '../../src/engine/containers';
import { FrameDemuxer } from '../../src/engine/demux';
import { EgressMode, parseAllowedHosts } from '../../src/isolation/egress';
import { GatewayPlan } from '../../src/isolation/gatewayConfig';
import { PortMapping } from '../../src/isolation/ports';
import { parseRefusal } from '../../src/monitor/egressRefusals';
import { createGateway } from '../../src/workspace/gateway';
import { ensureGatewayImage } from '../../src/workspace/gatewayImage';
import { baseImage, connect } from '../support/engine';
import { createFakeInternet, FakeInternet, hostAddresses, Listener, readFromHost, startHostListener } from '../support/fakeInternet';
import { runLabels } from '../support/labels';
import { startPodmanEngine, stopPodmanEngine } from '../support/podmanEngine';
import { poll } from '../support/waits';

describe('The shared-namespace gateway on Podman (a box user against the host, the outside and the resolvers, real)', function () {
  this.timeout(180_000);
  const labels = runLabels(`pmgw-${process.pid}`);
  const network = `aicli-pmgw-${process.pid}`;
  const port = 18_631;
  let connection: EngineConnection;
  let internet: FakeInternet;
  let hostListener: Listener;
  let bridge: { subnet: string; gateway: string };
  const made: string[] = [];

  before(async () => {
    connection = await connect(await startPodmanEngine());
    await ensureGatewayImage(connection);
    internet = createFakeInternet(process.pid + 29);
    await internet.listen(port, 'fake-internet');
    hostListener = await startHostListener(port, 'host-service');
    await connection.docker.createNetwork({ Name: network, Labels: labels });
    const config = (await connection.docker.getNetwork(network).inspect()) as { IPAM: { Config: { Subnet: string; Gateway: string }[] } };
    bridge = { subnet: config.IPAM.Config[0]!.Subnet, gateway: config.IPAM.Config[0]!.Gateway };
  });
  after(async () => {
    // The box first: Podman keeps a gateway whose namespace a box still uses.
    for (const id of made.reverse()) await removeContainer(connection, id, { force: true }).catch(() => undefined);
    await connection?.docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    hostListener?.stop();
    internet?.remove();
    await stopPodmanEngine();
  });

  /** A gateway in this mode and a strict-like box (uid 1000, no capability) in its namespace. */
  async function gatewayAndBox(mode: EgressMode, ports: PortMapping[] = [], boxCommand = ['sleep', '600']): Promise<{ gateway: string; box: string }> {
    const workspaceId = `pmgw${made.length}${process.pid}`;
    const plan: GatewayPlan = {
      mode,
      allow: parseAllowedHosts([]),
      insideSubnet: '',
      boxIp: '',
      gatewayIp: '',
      boxGateway: '',
      outsideGateway: bridge.gateway,
      refused: [...hostAddresses().map((address) => `${address}/32`), bridge.subnet],
      ports,
      boxNetwork: 'shared',
    };
    const published = Object.fromEntries(
      ports.map((mapping) => [`${mapping.containerPort}/tcp`, [{ HostIp: mapping.hostIp, HostPort: String(mapping.hostPort) }]]),
    );
    const exposedPorts = Object.fromEntries(ports.map((mapping) => [`${mapping.containerPort}/tcp`, {}]));
    const request = { workspaceId, labels, plan, insideNetwork: '', outsideNetwork: network, portBindings: published, exposedPorts };
    const gateway = await createGateway(connection, request);
    made.push(gateway);
    await startContainer(connection, gateway);
    await poll('the gateway says it is ready', 20_000, async () => ((await logsOf(gateway)).includes('aicli-gateway: ready') ? true : undefined));
    const box = await createContainer(connection, {
      Image: baseImage,
      Cmd: boxCommand,
      User: '1000:1000',
      Labels: labels,
      HostConfig: { NetworkMode: `container:${gateway}`, CapDrop: ['ALL'], ReadonlyRootfs: true },
    });
    made.push(box);
    await startContainer(connection, box);
    return { gateway, box };
  }

  async function logsOf(container: string): Promise<string> {
    // Without a TTY the logs come framed per stream.
    let text = '';
    new FrameDemuxer((_kind, payload) => (text += payload.toString('utf8'))).push(
      await connection.docker.getContainer(container).logs({ stdout: true, stderr: true, follow: false }),
    );
    return text;
  }

  /** What a connect from this container prints: the greeting, or nothing when refused. */
  async function reach(container: string, address: string, user?: string): Promise<string> {
    const run = await captureExec(connection, container, {
      cmd: ['/bin/busybox', 'sh', '-c', `/bin/busybox nc -w 2 ${address} ${port} </dev/null; true`],
      user,
    });
    return run.stdout.trim();
  }

  it('open: the box reaches the outside but not the host, at the bridge address or any other', async () => {
    const { box } = await gatewayAndBox('open');
    assert.equal(await reach(box, internet.address), 'fake-internet', 'positive control: open egress lets the box out');
    assert.equal(await reach(box, bridge.gateway), '', "the box reached the host at Podman's bridge address");
    for (const address of hostAddresses()) assert.equal(await reach(box, address), '', `the box reached the host at ${address}`);
    // Positive control: the host's listener answers at the bridge address (from the host).
    assert.equal(await readFromHost(bridge.gateway, port), 'host-service');
    const resolvConf = await captureExec(connection, box, { cmd: ['cat', '/etc/resolv.conf'] });
    assert.equal(resolvConf.stdout.trim(), 'nameserver 127.0.0.1', "the box asks the gateway's front resolver");
  });

  it("none: the box's connect out is refused and logged for the monitor; it cannot use the back resolver nor change the rules", async () => {
    const { gateway, box } = await gatewayAndBox('none');
    assert.equal(await reach(box, internet.address), '');
    const refusal = await poll('the refusal in the gateway log', 10_000, async () =>
      (await logsOf(gateway))
        .split('\n')
        .map((line) => parseRefusal(line))
        .find((parsed) => parsed?.destination === internet.address),
    );
    assert.equal(refusal.port, port);
    // The back resolver forwards any name upstream (a way out for data in none mode): refused
    // to the box, answered for the front resolver (its positive control: the box's own lookups).
    const back = await captureExec(connection, box, { cmd: ['/bin/busybox', 'nslookup', 'example.test', '127.0.0.1:5353'] });
    assert.match(back.stdout + back.stderr, /timed out|refused|can't connect|no servers/i, 'the box used the back resolver');
    const front = await captureExec(connection, box, { cmd: ['/bin/busybox', 'nslookup', 'example.test', '127.0.0.1'] });
    assert.match(front.stdout + front.stderr, /NXDOMAIN|can't find|Name:/i, 'the front resolver did not answer the box');
    const flush = await captureExec(connection, box, { cmd: ['/bin/busybox', 'ip', 'route', 'flush', 'table', 'main'] });
    assert.notEqual(flush.code, 0, 'the box changed the routes of the namespace it shares');
    assert.match(flush.stderr, /not permitted/i);
  });

  it("a published port reaches the box's listener through the gateway; a port not published does not", async () => {
    const serve = (listen: number, greeting: string): string => `while true; do echo ${greeting} | nc -l -p ${listen}; done`;
    const mapping: PortMapping = { hostIp: '127.0.0.1', hostPort: port + 1, containerPort: 8080, protocol: 'tcp' };
    const { gateway } = await gatewayAndBox('none', [mapping], ['sh', '-c', `${serve(8080, 'box-published')} & ${serve(8081, 'box-private')}`]);
    const published = await poll('the published port answers', 10_000, async () => (await readFromHost('127.0.0.1', mapping.hostPort)) || undefined);
    assert.equal(published, 'box-published');
    const address = Object.values(
      ((await connection.docker.getContainer(gateway).inspect()) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }).NetworkSettings
        .Networks,
    )[0]!.IPAddress;
    assert.equal(await readFromHost(address, 8081), '', "the host reached a port of the box's that was not published");
    assert.equal(await readFromHost(address, 8080), 'box-published', 'positive control: the same address, the published port');
  });
});
