import { alwaysRefused, EgressAllowList, EgressMode, privateRanges } from './egress';
import { PortMapping } from './ports';

/**
 * Everything a workspace's egress gateway enforces, as data. The box sits alone on a network
 * whose host bridge has no address (so the host cannot be reached through it); its default
 * route points at `boxGateway`, an address only the gateway answers for. The gateway forwards
 * what the mode allows to its own outside network and refuses the rest.
 */
export interface GatewayPlan {
  mode: EgressMode;
  allow: EgressAllowList;
  /** The box's network, e.g. 172.20.3.0/24. */
  insideSubnet: string;
  /** The box's address on it (fixed at create, so ports can be forwarded to it). */
  boxIp: string;
  /** The gateway's own address on the box's network: the box's DNS server. */
  gatewayIp: string;
  /** The box's default route; the gateway claims it. */
  boxGateway: string;
  /** The engine's address on the gateway's outside network: its way out. */
  outsideGateway: string;
  /** Addresses refused beyond `alwaysRefused`: the host's own, the workspace pool, the outside network. */
  refused: string[];
  /** Published ports: the engine publishes them on the gateway, which forwards them to the box. */
  ports: PortMapping[];
  /**
   * `routed` (the default, and every plan made before this field): the box on its own network,
   * routed through the gateway. `shared`: the box in the gateway's network namespace, for
   * engines whose bridges always give the host an address (Podman): sharedGatewayConfig.ts.
   */
  boxNetwork?: 'routed' | 'shared';
}

export type GatewayFiles = {
  'gateway.env': string;
  'rules.nft': string;
  'front.conf': string;
  'back.conf': string;
};

/** Where the box's DNS questions go once the front resolver lets them through. */
export const backResolver = '127.0.0.1#5353';
/** Log group the refusals are copied to; the gateway prints them for the monitor. */
export const refusalLogGroup = 1;

function elements(cidrs: readonly string[]): string {
  return cidrs.length ? ` elements = { ${cidrs.join(', ')} };` : '';
}

function egressRules(plan: GatewayPlan): string[] {
  const open = plan.mode === 'open';
  return [
    '    ip daddr @refused4 goto refuse',
    ...(plan.mode === 'none' ? [] : ['    ip daddr @listed4 accept']),
    '    ip daddr @private4 goto refuse',
    ...(open ? ['    oifname "@OUT@" accept'] : []),
    ...(plan.mode === 'allowlist' ? ['    oifname "@OUT@" ip daddr @resolved4 accept'] : []),
    '    goto refuse',
  ];
}

function portRules(plan: GatewayPlan): string[] {
  return plan.ports.map((port) => `    iifname "@OUT@" ${port.protocol} dport ${port.containerPort} dnat ip to ${plan.boxIp}:${port.containerPort}`);
}

/** The sets the egress rules read; `resolved4` is filled by the front resolver (allowlist). */
export function addressSets(plan: GatewayPlan): string[] {
  return [
    `  set refused4 { type ipv4_addr; flags interval; auto-merge;${elements([...alwaysRefused, ...plan.refused])} }`,
    `  set private4 { type ipv4_addr; flags interval; auto-merge;${elements(privateRanges)} }`,
    `  set listed4 { type ipv4_addr; flags interval; auto-merge;${elements(plan.allow.cidrs)} }`,
    '  set resolved4 { type ipv4_addr; flags timeout; timeout 24h; }',
  ];
}

/** What the box may reach, and the refusal: logged (for the monitor) and answered at once. */
export function egressAndRefuseChains(plan: GatewayPlan): string[] {
  return [
    '  chain egress {',
    ...egressRules(plan),
    '  }',
    '  chain refuse {',
    `    limit rate 20/second burst 40 packets log group ${refusalLogGroup}`,
    '    reject with icmpx type admin-prohibited',
    '  }',
  ];
}

/** nftables ruleset; @IN@ and @OUT@ are the interface names, filled in by the gateway at start. */
export function gatewayRules(plan: GatewayPlan): string {
  return [
    // Only our own table: the engine's rules for its embedded DNS (127.0.0.11) live beside it.
    'table inet aicli {',
    ...addressSets(plan),
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    `    iifname "@IN@" ip saddr ${plan.boxIp} meta l4proto { tcp, udp } th dport 53 accept`,
    '    iifname "@IN@" goto refuse',
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    '    iifname "@OUT@" oifname "@IN@" ct status dnat accept',
    `    iifname "@IN@" ip saddr ${plan.boxIp} jump egress`,
    '    iifname "@IN@" goto refuse',
    '  }',
    ...egressAndRefuseChains(plan),
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...portRules(plan),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "@OUT@" ip saddr ${plan.insideSubnet} masquerade`,
    // Published ports arrive from the engine's address on the outside network; forwarded with
    // that source, the engine's own NAT (bridge netfilter) would rewrite it on the box's bridge.
    '    oifname "@IN@" ct status dnat masquerade',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * The resolver the box asks: it answers only what the mode allows and, in allowlist mode,
 * puts each answer for a listed name into the set the rules let through. A refused name is
 * logged as "config NAME is NXDOMAIN", which the monitor turns into an alert.
 */
export function frontResolverConfig(plan: GatewayPlan, listen: readonly string[] = ['interface=@IN@', 'bind-dynamic']): string {
  // filter-AAAA: the box has no IPv6, so an AAAA question is never forwarded (one round trip
  // less per lookup, and nothing asked upstream that the box could not use).
  const lines = [
    'port=53',
    ...listen,
    'no-resolv',
    'no-hosts',
    'no-poll',
    'filter-AAAA',
    'user=nobody',
    'group=nogroup',
    'log-queries',
    'log-facility=-',
    'cache-size=1000',
  ];
  if (plan.mode === 'open') lines.push(`server=${backResolver}`);
  else {
    lines.push('address=/#/');
    if (plan.mode === 'allowlist') {
      for (const domain of plan.allow.domains) lines.push(`server=/${domain}/${backResolver}`, `nftset=/${domain}/4#inet#aicli#resolved4`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The gateway's own resolver, on loopback only: the engine's DNS, and the gateway's hosts file
 * (so tests and air-gapped setups can name hosts without a DNS server).
 */
export function backResolverConfig(): string {
  return [
    'port=5353',
    'listen-address=127.0.0.1',
    'bind-interfaces',
    'no-resolv',
    'no-poll',
    'user=nobody',
    'group=nogroup',
    'server=127.0.0.11',
    'log-facility=/dev/null',
    '',
  ].join('\n');
}

export function gatewayFiles(plan: GatewayPlan): GatewayFiles {
  const prefix = plan.insideSubnet.split('/')[1];
  const env = {
    BOX_NETWORK: 'routed',
    MODE: plan.mode,
    INSIDE_IP: plan.gatewayIp,
    BOX_GATEWAY: plan.boxGateway,
    PREFIX: prefix,
    OUTSIDE_GATEWAY: plan.outsideGateway,
    LOG_GROUP: String(refusalLogGroup),
  };
  return {
    'gateway.env': envFile(env),
    'rules.nft': gatewayRules(plan),
    'front.conf': frontResolverConfig(plan),
    'back.conf': backResolverConfig(),
  };
}

/** The gateway script's settings, sourced by busybox sh. */
export function envFile(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n') + '\n'
  );
}
