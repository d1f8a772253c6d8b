# Shared layout and state bookkeeping of the e2e mini cluster (sourced by up, down, pod, lb).
#
# Topology (private ranges, all inside namespaces this harness creates):
#   npe-wire     netns holding bridge br0: the wire between host, router and nodes (10.240.0.0/24)
#   npe-host     veth in the root netns, 10.240.0.1: etcd and kube-apiserver listen here
#   npe-node-X   one netns per node: eth0 on the wire, bridge cbr0 = podCIDR .1, kube-proxy
#   npe-X-pN     one netns per pod (10.244.<node>.N) on its node's cbr0, running netpath-echo
#   npe-router   10.240.0.254 on the wire, 10.250.0.1 towards the client; routes LB IPs to nodes
#   npe-client   10.250.0.2: the external client, outside the node subnet
# Every process and namespace is recorded in $NPE_STATE before it exists, so down can remove
# exactly what up made (by PID + start time, and by exact name), even after a failed up.

NPE_DIR="${NETPATH_CLUSTER_DIR:-${TMPDIR:-/tmp}/netpath-cluster}"
NPE_STATE="$NPE_DIR/state"
NPE_LOGS="$NPE_DIR/logs"
NPE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath"

WIRE_NS=npe-wire
HOST_LINK=npe-host
HOST_IP=10.240.0.1
WIRE_PREFIX=24
ROUTER_NS=npe-router
ROUTER_WIRE_IP=10.240.0.254
ROUTER_CLIENT_IP=10.250.0.1
CLIENT_NS=npe-client
CLIENT_IP=10.250.0.2
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
APISERVER_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380

NODES=(node-a node-b node-c)
# node index i (0-based): IP 10.240.0.(11+i), podCIDR 10.244.(1+i).0/24, zone zone-(a|b|c)
node_index() {
  local i
  for i in "${!NODES[@]}"; do [[ "${NODES[$i]}" == "$1" ]] && { echo "$i"; return 0; }; done
  echo "unknown node $1 (known: ${NODES[*]})" >&2
  return 1
}
node_ns() { echo "npe-$1"; }
node_ip() { echo "10.240.0.$((11 + $(node_index "$1")))"; }
node_pod_net() { echo "10.244.$((1 + $(node_index "$1")))"; }
node_zone() { echo "zone-${1#node-}"; }

log() { printf '[cluster +%ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# /proc/PID/stat field 22 (start time in ticks) guards against killing a recycled PID.
pid_starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# pid_live PID STARTTIME: the same process still runs (a zombie awaiting its reaper does not).
pid_live() {
  local rest
  rest="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$rest" && "${rest%% *}" != Z && "$(cut -d' ' -f20 <<<"$rest")" == "$2" ]]
}

record() { echo "$*" >>"$NPE_STATE"; }

# start_bg LABEL NETNS|- CMD...: start CMD detached (own session, log in $NPE_LOGS/LABEL.log),
# inside NETNS unless "-", and record its PID.
start_bg() {
  local label="$1" ns="$2"
  shift 2
  local -a cmd=("$@")
  [[ "$ns" == "-" ]] || cmd=(ip netns exec "$ns" "${cmd[@]}")
  # bash without job control keeps background children out of process-group leadership, so
  # setsid does not fork: $! is the PID of the final command (ip netns exec execs it too).
  setsid "${cmd[@]}" </dev/null >>"$NPE_LOGS/$label.log" 2>&1 &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    st="$(pid_starttime "$pid")"
    [[ -n "$st" ]] && break
    sleep 0.05
  done
  [[ -n "$st" ]] || die "$label exited at once; see $NPE_LOGS/$label.log"
  record "pid $pid $st $label"
}

netns_exists() { [[ -e "/run/netns/$1" ]]; }

# add_netns NAME: record, create, bring lo up.
add_netns() {
  netns_exists "$1" && die "network namespace $1 already exists"
  record "netns $1"
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# A recorded PID is ours while its start time still matches.
recorded_live_pids() {
  [[ -f "$NPE_STATE" ]] || return 0
  local kind pid st label
  while read -r kind pid st label; do
    [[ "$kind" == pid ]] || continue
    pid_live "$pid" "$st" && echo "$pid $st $label"
  done <"$NPE_STATE"
  return 0
}

kubectl_() { "$NPE_BIN/kubectl" --kubeconfig "$NPE_DIR/kubeconfig" "$@"; }

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.2s.
wait_for() {
  local limit="$1" what="$2"
  shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || die "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}
