import { addressSets, backResolver, egressAndRefuseChains, envFile, frontResolverConfig, GatewayFiles, GatewayPlan, refusalLogGroup } from './gatewayConfig';

/**
 * The gateway when the box shares its network namespace (`NetworkMode: container:<gateway>`).
 * Podman's bridges always give the host an address on them, so a box of its own on one could
 * reach the host there; in the gateway's namespace it has no interface but the gateway's, and
 * every packet it sends passes the gateway's output chain, which the box cannot change (it
 * holds no NET_ADMIN).
 *
 * In one namespace, the only thing that tells the gateway's traffic from the box's is the
 * sending socket's owner: the resolvers run as `nobody` and may ask their upstream servers; no
 * other user, root included, gets past the egress rules. So a box must never run as that user,
 * nor hold CAP_SETUID to become it: only a strict box (uid 1000, no capability) may share it.
 */
export const resolverUid = 65534;

/** Published ports reach the box's own listeners in this namespace: no address translation. */
function publishedPortRules(plan: GatewayPlan): string[] {
  return plan.ports.map((port) => `    iifname "@OUT@" ${port.protocol} dport ${port.containerPort} accept`);
}

/** nftables ruleset for a shared namespace; @OUT@ is the interface name, filled in at start. */
export function sharedGatewayRules(plan: GatewayPlan): string {
  return [
    'table inet aicli {',
    ...addressSets(plan),
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    ...publishedPortRules(plan),
    '  }',
    '  chain output {',
    '    type filter hook output priority filter; policy drop;',
    '    ct state established,related accept',
    // The back resolver asks upstream for anything: only the front resolver may use it.
    `    oif lo meta l4proto { tcp, udp } th dport ${backResolver.split('#')[1]} meta skuid != ${resolverUid} goto refuse`,
    '    oif lo accept',
    `    meta skuid ${resolverUid} meta l4proto { tcp, udp } th dport 53 accept`,
    '    jump egress',
    '  }',
    ...egressAndRefuseChains(plan),
    '}',
    '',
  ].join('\n');
}

/** The box asks 127.0.0.1 (the gateway writes the shared resolv.conf at start). */
export const sharedFrontListen = ['listen-address=127.0.0.1', 'bind-interfaces'] as const;

/** Upstream: the engine's resolvers, as the gateway's resolv.conf named them before it was rewritten. */
export function sharedBackResolverConfig(): string {
  return [
    'port=5353',
    'listen-address=127.0.0.1',
    'bind-interfaces',
    'resolv-file=/etc/aicli/upstream.conf',
    'no-poll',
    'user=nobody',
    'group=nogroup',
    'log-facility=/dev/null',
    '',
  ].join('\n');
}

export function sharedGatewayFiles(plan: GatewayPlan): GatewayFiles {
  return {
    'gateway.env': envFile({ BOX_NETWORK: 'shared', MODE: plan.mode, LOG_GROUP: String(refusalLogGroup) }),
    'rules.nft': sharedGatewayRules(plan),
    'front.conf': frontResolverConfig(plan, sharedFrontListen),
    'back.conf': sharedBackResolverConfig(),
  };
}
