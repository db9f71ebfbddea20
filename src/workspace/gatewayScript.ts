/**
 * The gateway's entrypoint (busybox sh). Its rules and resolver configuration are written by
 * the create into /etc/aicli before the first start (gatewayConfig.ts); this only finds its two
 * interfaces, claims the box's default route, loads the rules and starts the resolvers.
 * Refused packets and names are printed, one line each, for the monitor to read from the logs.
 */
export const gatewayEntrypoint = `#!/bin/busybox sh
set -eu
bb() { /bin/busybox "$@"; }
. /etc/aicli/gateway.env
iface_with() { bb ip -o -4 addr show | bb awk -v want="$1" '{ split($4, a, "/"); if (a[1] == want) print $2 }'; }
IN=$(iface_with "$INSIDE_IP")
OUT=$(bb ip -o -4 addr show | bb awk -v inside="$IN" '$2 != "lo" && $2 != inside { print $2; exit }')
if [ -z "$IN" ] || [ -z "$OUT" ]; then
  echo "aicli-gateway: cannot find its interfaces (inside $INSIDE_IP)" >&2
  exit 1
fi
# The box routes through BOX_GATEWAY, which no host interface holds: only this gateway answers.
bb ip addr add "$BOX_GATEWAY/$PREFIX" dev "$IN"
bb ip route replace default via "$OUTSIDE_GATEWAY" dev "$OUT"
for file in rules.nft front.conf; do
  bb sed -e "s/@IN@/$IN/g" -e "s/@OUT@/$OUT/g" "/etc/aicli/$file" > "/run/$file"
done
/usr/sbin/nft -f /run/rules.nft
/usr/sbin/dnsmasq --pid-file= -C /etc/aicli/back.conf
/usr/sbin/tcpdump -l -n -q -t -Z nobody -i "nflog:$LOG_GROUP" 2>/dev/null &
echo "aicli-gateway: ready, egress $MODE"
exec /usr/sbin/dnsmasq -k --pid-file= -C /run/front.conf
`;
