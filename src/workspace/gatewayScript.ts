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
for file in rules.nft front.conf; do
  bb sed -e "s/@IN@/$IN/g" -e "s/@OUT@/$OUT/g" "/etc/aicli/$file" > "/run/$file"
done
/usr/sbin/nft -f /run/rules.nft
/usr/sbin/dnsmasq --pid-file= -C /etc/aicli/back.conf
/usr/sbin/tcpdump -l -n -q -t -Z nobody -i "nflog:$LOG_GROUP" 2>/dev/null &
echo "aicli-gateway: ready, egress $MODE"
exec /usr/sbin/dnsmasq -k --pid-file= -C /run/front.conf
`;
