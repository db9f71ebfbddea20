import * as assert from 'node:assert/strict';
import { IsolationLevel } from '../../src/isolation/levels';
import { overlaps, parseCidr } from '../../src/isolation/subnets';
import { execIn, workspaceFixture } from './support';

describe('workspace networks on the real engine', function () {
  this.timeout(180_000);
  const fixture = workspaceFixture();

  async function addressOf(name: string): Promise<string> {
    const workspace = await fixture.service.find(name);
    const info = await fixture.service.inspect(name);
    const address = info.NetworkSettings.Networks[workspace.network]?.IPAddress;
    assert.ok(address, `no address for ${name}`);
    return address;
  }

  for (const level of ['basic', 'standard', 'strict'] as IsolationLevel[]) {
    it(`${level}: a listener in workspace A is unreachable from workspace B by IP`, async () => {
      const names = [`net-a-${level}-${process.pid}`, `net-b-${level}-${process.pid}`];
      for (const name of names) {
        const folder = fixture.folder();
        await fixture.service.create({ folder, name, level });
      }
      const [a, b] = names as [string, string];
      await execIn(fixture.service, a, ['sh', '-c', 'nc -ll -p 9000 -e echo pong >/dev/null 2>&1 &']);
      const addressA = await addressOf(a);
      // Control: the listener answers on that address, so a failure from B means isolation.
      const self = await execIn(fixture.service, a, ['sh', '-c', `nc -w 2 ${addressA} 9000 </dev/null`]);
      assert.equal(self.stdout.trim(), 'pong', `listener not answering: ${self.stderr}`);
      const fromB = await execIn(fixture.service, b, ['sh', '-c', `nc -w 2 ${addressA} 9000 </dev/null`]);
      assert.notEqual(fromB.stdout.trim(), 'pong');
      assert.notEqual(fromB.code, 0);
      const networks = await Promise.all(names.map(async (name) => (await fixture.service.find(name)).network));
      assert.notEqual(networks[0], networks[1]);
      const networkInfo = await fixture.connection.docker.getNetwork(networks[0] as string).inspect();
      assert.equal(networkInfo.Attachable, false);
      // No other container can join the box's network: only the box and its egress gateway are on it,
      // and its host bridge has no address (the host cannot be reached through it).
      assert.equal(networkInfo.Options?.['com.docker.network.bridge.inhibit_ipv4'], 'true');
      const members = Object.values(networkInfo.Containers ?? {})
        .map((member) => (member as { Name: string }).Name)
        .sort();
      const workspaceA = await fixture.service.find(a);
      assert.deepEqual(members, [`aicli-gateway-${workspaceA.id}`, workspaceA.containerName].sort());
    });
  }

  it('30 workspaces created concurrently get 30 distinct, non-overlapping subnets', async () => {
    const count = 30;
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const folder = fixture.folder();
        return fixture.service.create({ folder, name: `many-${i}-${process.pid}` });
      }),
    );
    console.log(`      ${count} concurrent creates took ${Date.now() - started} ms`);
    const subnets = await Promise.all(
      created.map(async ({ workspace }) => (await fixture.connection.docker.getNetwork(workspace.network).inspect()).IPAM?.Config?.[0]?.Subnet as string),
    );
    assert.equal(new Set(subnets).size, count);
    const others = (await fixture.connection.docker.listNetworks())
      .filter((network) => !created.some(({ workspace }) => workspace.network === network.Name))
      .flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? ''));
    const all = [...subnets, ...others].map(parseCidr).filter((cidr) => cidr !== undefined);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i]!, all[j]!), `overlap between subnets ${i} and ${j}`);
    }
    await Promise.all(created.map(({ workspace }) => fixture.service.remove(workspace.id)));
    const left = await fixture.connection.docker.listNetworks({ filters: JSON.stringify({ name: created.map(({ workspace }) => workspace.network) }) });
    assert.equal(left.length, 0, 'removing a workspace removes its network');
  });
});
