import * as assert from 'node:assert/strict';
import { egressModeFor, parseAllowedHosts } from '../../src/isolation/egress';
import { frontResolverConfig, GatewayPlan, gatewayRules } from '../../src/isolation/gatewayConfig';
import { egressDestinationIn, neverAllowed, parseRefusal, refusalAlert } from '../../src/monitor/egressRefusals';
import { resolverUid, sharedGatewayFiles } from '../../src/isolation/sharedGatewayConfig';
import { insideAddresses } from '../../src/workspace/gateway';

const plan = (overrides: Partial<GatewayPlan> = {}): GatewayPlan => ({
  mode: 'allowlist',
  allow: { domains: ['example.com'], cidrs: ['10.1.2.0/24'] },
  insideSubnet: '172.20.5.0/24',
  ...insideAddresses('172.20.5.0/24'),
  outsideGateway: '172.20.6.1',
  refused: ['192.0.2.2/32', '172.20.0.0/14', '172.20.6.0/24'],
  ports: [{ hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' }],
  ...overrides,
});

describe('egress policy', () => {
  it('auto picks by level; an explicit mode wins; anything else is refused naming it', () => {
    assert.equal(egressModeFor('basic', 'auto'), 'open');
    assert.equal(egressModeFor('standard', undefined), 'allowlist');
    assert.equal(egressModeFor('strict', ''), 'none');
    assert.equal(egressModeFor('strict', 'open'), 'open');
    assert.throws(() => egressModeFor('basic', 'sometimes'), /Egress "sometimes" is not one of auto, none, allowlist, open/);
  });

  it('parses names, wildcards and CIDRs, and refuses a bad entry by name before anything is made', () => {
    assert.deepEqual(parseAllowedHosts(['API.example.com.', '*.npmjs.org', '203.0.113.7', '10.0.0.0/8']), {
      domains: ['api.example.com', 'npmjs.org'],
      cidrs: ['10.0.0.0/8', '203.0.113.7/32'],
    });
    for (const bad of ['exa mple.com', 'foo.*.com', '10.0.0.0/33', '300.1.2.3', '-bad.com', '', 'http://x.com']) {
      assert.throws(
        () => parseAllowedHosts([bad]),
        (err: Error) => err.name === 'InputError' && err.message.includes(`"${bad}"`),
        bad,
      );
    }
    assert.throws(() => parseAllowedHosts(['169.254.169.254']), /link-local/);
  });

  it('the box network: .1 is the box route, .2 the box, .3 the gateway', () => {
    assert.deepEqual(insideAddresses('172.20.5.0/24'), { boxGateway: '172.20.5.1', boxIp: '172.20.5.2', gatewayIp: '172.20.5.3' });
  });
});

describe('gateway rules', () => {
  it('refuses the never-reachable set before any accept, in every mode', () => {
    for (const mode of ['none', 'allowlist', 'open'] as const) {
      const rules = gatewayRules(plan({ mode }));
      const egress = rules.slice(rules.indexOf('chain egress'), rules.indexOf('chain refuse'));
      const lines = egress
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && line !== '}' && !line.startsWith('chain'));
      assert.equal(lines[0], 'ip daddr @refused4 goto refuse', mode);
      assert.equal(lines[lines.length - 1], 'goto refuse', mode);
      assert.match(
        rules,
        /set refused4 \{[^}]*0\.0\.0\.0\/8, 127\.0\.0\.0\/8, 169\.254\.0\.0\/16, 224\.0\.0\.0\/3, 192\.0\.2\.2\/32, 172\.20\.0\.0\/14, 172\.20\.6\.0\/24/,
        mode,
      );
      assert.ok(!rules.includes('flush ruleset'), "the engine's own tables must stay");
    }
    assert.ok(!gatewayRules(plan({ mode: 'none' })).includes('accept\n  }\n  chain refuse'));
    assert.match(gatewayRules(plan({ mode: 'open' })), /oifname "@OUT@" accept/);
    assert.match(gatewayRules(plan({ mode: 'allowlist' })), /oifname "@OUT@" ip daddr @resolved4 accept/);
    assert.ok(!gatewayRules(plan({ mode: 'allowlist' })).includes('oifname "@OUT@" accept'));
  });

  it('lets listed CIDRs through before private ranges are refused, and forwards published ports to the box', () => {
    const rules = gatewayRules(plan());
    assert.ok(rules.indexOf('ip daddr @listed4 accept') < rules.indexOf('ip daddr @private4 goto refuse'));
    assert.match(rules, /set listed4 \{[^}]*elements = \{ 10\.1\.2\.0\/24 \}/);
    assert.match(rules, /iifname "@OUT@" tcp dport 8080 dnat ip to 172\.20\.5\.2:8080/);
    assert.match(rules, /iifname "@IN@" ip saddr 172\.20\.5\.2 meta l4proto \{ tcp, udp \} th dport 53 accept/);
  });

  it("the box's resolver answers only what the mode allows, and never forwards an AAAA question", () => {
    for (const mode of ['none', 'allowlist', 'open'] as const) assert.match(frontResolverConfig(plan({ mode })), /^filter-AAAA$/m, mode);
    assert.match(frontResolverConfig(plan({ mode: 'none' })), /^address=\/#\/$/m);
    assert.ok(!frontResolverConfig(plan({ mode: 'none' })).includes('server='));
    const allow = frontResolverConfig(plan());
    assert.match(allow, /^address=\/#\/$/m);
    assert.match(allow, /^server=\/example\.com\/127\.0\.0\.1#5353$/m);
    assert.match(allow, /^nftset=\/example\.com\/4#inet#aicli#resolved4$/m);
    assert.match(frontResolverConfig(plan({ mode: 'open' })), /^server=127\.0\.0\.1#5353$/m);
    assert.ok(!frontResolverConfig(plan({ mode: 'open' })).includes('address=/#/'));
  });
});

/** One chain of a ruleset, from its name to its closing brace. */
const chainOf = (rules: string, name: string): string =>
  rules.slice(rules.indexOf(`chain ${name} {`), rules.indexOf('\n  }', rules.indexOf(`chain ${name} {`)));

describe('gateway rules, the box in the gateway namespace (Podman)', () => {
  it('filters every sender on output but the resolvers asking upstream, with the same egress chain', () => {
    for (const mode of ['none', 'allowlist', 'open'] as const) {
      const files = sharedGatewayFiles({ ...plan({ mode }), boxNetwork: 'shared' });
      const rules = files['rules.nft'];
      const output = rules.slice(rules.indexOf('chain output'), rules.indexOf('chain egress'));
      assert.match(output, /policy drop;/, mode);
      assert.match(output, new RegExp(`oif lo meta l4proto \\{ tcp, udp \\} th dport 5353 meta skuid != ${resolverUid} goto refuse\\n\\s+oif lo accept`), mode);
      assert.match(output, new RegExp(`meta skuid ${resolverUid} meta l4proto \\{ tcp, udp \\} th dport 53 accept\\n\\s+jump egress`), mode);
      assert.ok(!/skuid 0\b/.test(rules), 'root gets no way out of its own');
      assert.equal(chainOf(rules, 'egress'), chainOf(gatewayRules(plan({ mode })), 'egress'), mode);
      assert.match(files['front.conf'], /^listen-address=127\.0\.0\.1$/m);
      assert.match(files['back.conf'], /^resolv-file=\/etc\/aicli\/upstream\.conf$/m);
      assert.match(files['gateway.env'], /^BOX_NETWORK=shared$/m);
    }
  });

  it("lets published ports in to the box's own listeners, without address translation", () => {
    const rules = sharedGatewayFiles({ ...plan(), boxNetwork: 'shared' })['rules.nft'];
    assert.match(rules, /chain input \{[^}]*iifname "@OUT@" tcp dport 8080 accept/);
    assert.ok(!rules.includes('dnat'));
  });
});

describe('gateway refusals', () => {
  const workspace = { containerId: 'c1', id: 'w1', name: 'demo', level: 'standard' as const };

  it('reads refused packets and names from the gateway log', () => {
    assert.deepEqual(parseRefusal('IP 172.20.1.2.54936 > 192.0.2.2.47001: tcp 0'), {
      destination: '192.0.2.2',
      port: 47001,
      protocol: 'tcp',
      attempt: 'tcp:54936',
    });
    assert.deepEqual(parseRefusal('IP 172.20.1.2.4000 > 198.18.0.2.53: UDP, length 30'), {
      destination: '198.18.0.2',
      port: 53,
      protocol: 'udp',
      attempt: 'udp:4000',
    });
    assert.equal(parseRefusal('dnsmasq[7]: config Evil.Example is NXDOMAIN')?.destination, 'evil.example');
    assert.equal(parseRefusal('dnsmasq[7]: query[A] evil.example from 172.20.1.2'), undefined);
    assert.equal(parseRefusal('aicli-gateway: ready, egress none'), undefined);
  });

  it('never offers to allow the host, link-local or other workspaces', () => {
    assert.ok(neverAllowed('169.254.169.254', []));
    assert.ok(neverAllowed('172.21.3.2', []));
    assert.ok(neverAllowed('192.0.2.2', ['192.0.2.2/32']));
    assert.ok(!neverAllowed('203.0.113.9', ['192.0.2.2/32']));
    assert.ok(!neverAllowed('10.0.0.5', []), 'a private address may be allowed by a CIDR');
    assert.ok(!neverAllowed('registry.npmjs.org', []));
    const tally = { attempts: 3, ports: new Set([443, 80]), seen: new Set<string>(), firstAt: 1 };
    const allowable = refusalAlert(workspace, 'allowlist', '203.0.113.9', tally, false);
    assert.equal(allowable.type, 'network_anomaly');
    assert.match(allowable.message, /tried to reach 203\.0\.113\.9 \(ports 80, 443\) 3 times; its egress policy \(allowlist\) refused the address/);
    assert.equal(egressDestinationIn(allowable.message), '203.0.113.9');
    const never = refusalAlert(workspace, 'open', '169.254.169.254', tally, true);
    assert.equal(egressDestinationIn(never.message), undefined);
    assert.equal(never.severity, 'error');
  });
});
