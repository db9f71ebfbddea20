/**
 * The gateway's entrypoint (busybox sh). Its rules and resolver configuration are written by
 * the create into /etc/aicli before the first start (gatewayConfig.ts); this only finds its two
 * interfaces, claims the box's default route, loads the rules and starts the resolvers. With the
 * box in its own namespace (BOX_NETWORK=shared) it has one interface and claims no route.
 * Refused packets and names are printed, one line each, for the monitor to read from the logs.
 */
export const gatewayEntrypoint = `#!/bin/busybox sh
set -eu
bb() { /bin/busybox "$@"; }
. /etc/aicli/gateway.env
render() {
  for file in rules.nft front.conf; do
    bb sed -e "s/@IN@/$IN/g" -e "s/@OUT@/$OUT/g" "/etc/aicli/$file" > "/run/$file"
  done
}
if [ "\${1:-}" = reload ]; then
  # A changed plan, in place (a box in this namespace would lose it to a restart): the rules are
  # swapped in one transaction, and the loop at the end starts the front resolver again.
  . /run/interfaces.env
  render
  { echo 'table inet aicli'; echo 'delete table inet aicli'; bb cat /run/rules.nft; } > /run/reload.nft
  /usr/sbin/nft -f /run/reload.nft
  bb kill "$(bb cat /run/front.pid)"
  echo "aicli-gateway: reloaded, egress $MODE"
  exit 0
fi
iface_with() { bb ip -o -4 addr show | bb awk -v want="$1" '{ split($4, a, "/"); if (a[1] == want) print $2 }'; }
BOX_NETWORK=\${BOX_NETWORK:-routed}
if [ "$BOX_NETWORK" = shared ]; then
  # The box lives in this namespace (sharedGatewayConfig.ts): one interface, and the box reads
  # this resolv.conf. Its first content (the engine's resolvers) is kept for the back resolver.
  IN=lo
  OUT=$(bb ip -o -4 addr show | bb awk '$2 != "lo" { print $2; exit }')
  [ -s /etc/aicli/upstream.conf ] || bb grep '^nameserver' /etc/resolv.conf > /etc/aicli/upstream.conf || true
  echo 'nameserver 127.0.0.1' > /etc/resolv.conf
else
  IN=$(iface_with "$INSIDE_IP")
  OUT=$(bb ip -o -4 addr show | bb awk -v inside="$IN" '$2 != "lo" && $2 != inside { print $2; exit }')
fi
if [ -z "$IN" ] || [ -z "$OUT" ]; then
  echo "aicli-gateway: cannot find its interfaces (inside \${INSIDE_IP:-lo})" >&2
  exit 1
fi
if [ "$BOX_NETWORK" != shared ]; then
  # The box routes through BOX_GATEWAY, which no host interface holds: only this gateway answers.
  bb ip addr add "$BOX_GATEWAY/$PREFIX" dev "$IN"
  bb ip route replace default via "$OUTSIDE_GATEWAY" dev "$OUT"
fi
echo "IN=$IN OUT=$OUT" > /run/interfaces.env
render
/usr/sbin/nft -f /run/rules.nft
/usr/sbin/dnsmasq --pid-file= -C /etc/aicli/back.conf
/usr/sbin/tcpdump -l -n -q -t -Z nobody -i "nflog:$LOG_GROUP" 2>/dev/null &
echo "aicli-gateway: ready, egress $MODE"
# In a loop, so that a reload can start it again with its new configuration.
while :; do
  /usr/sbin/dnsmasq -k --pid-file=/run/front.pid -C /run/front.conf || bb sleep 1
done
`;
