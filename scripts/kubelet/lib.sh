# Shared layout and bookkeeping of the one-node kubelet harness (sourced by up, down, kube-proxy).
#
# Topology (all in names and ranges nothing else here uses):
#   nkl-node   network namespace of the node: containerd, the kubelet, kube-proxy and every
#              hostNetwork pod live here; eth0 = 10.253.0.2/30 is the node's InternalIP (the
#              kubelet refuses a loopback node IP, so the node needs an interface of its own)
#   nkl-host   veth in the root netns, 10.253.0.1/30: kube-apiserver listens here; etcd on loopback
# The node's processes enter nkl-node with `nsenter --net`, not `ip netns exec`: that one also
# remounts /sys, which hides /sys/fs/cgroup from containerd and the kubelet.
# The node's processes share the host's mount and PID namespaces (a debug pod's /host is this
# machine's root), so only the network is the node's own. Every process, link, namespace, cgroup
# and mount point is recorded in $NKL_STATE before it exists; down removes exactly those.

NKL_DIR="${NETPATH_KUBELET_DIR:-${TMPDIR:-/tmp}/netpath-kubelet}"
NKL_STATE="$NKL_DIR/state"
NKL_LOGS="$NKL_DIR/logs"
NKL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath"

NODE_NS=nkl-node
NODE_NAME=nkl-node
HOST_LINK=nkl-host
HOST_IP=10.253.0.1
NODE_IP=10.253.0.2
LINK_PREFIX=30
SERVICE_CIDR=10.96.0.0/24
# Pods' cgroups go below this in every cgroup v1 hierarchy (the kubelet's cgroupRoot).
CGROUP_ROOT=nkl-kubelet
CONTAINERD_SOCK="$NKL_DIR/containerd/containerd.sock"
DEBUG_IMAGE=localhost/netpath-debug:dev
PAUSE_IMAGE=localhost/netpath-pause:dev

log() { printf '[kubelet-harness +%ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'kubelet-harness: %s\n' "$*" >&2; exit 1; }

# /proc/PID/stat field 22 (start time in ticks) guards against killing a recycled PID.
pid_starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# pid_live PID STARTTIME: the same process still runs (a zombie awaiting its reaper does not).
pid_live() {
  local rest
  rest="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$rest" && "${rest%% *}" != Z && "$(cut -d' ' -f20 <<<"$rest")" == "$2" ]]
}

record() { echo "$*" >>"$NKL_STATE"; }

# start_bg LABEL CMD...: start CMD detached (own session, log in $NKL_LOGS/LABEL.log) and record
# its PID. CMD execs its way to the real program (nsenter, unshare), so the PID stays the same.
start_bg() {
  local label="$1"
  shift
  setsid "$@" </dev/null >>"$NKL_LOGS/$label.log" 2>&1 &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    st="$(pid_starttime "$pid")"
    [[ -n "$st" ]] && break
    sleep 0.05
  done
  [[ -n "$st" ]] || die "$label exited at once; see $NKL_LOGS/$label.log"
  record "pid $pid $st $label"
}

netns_exists() { [[ -e "/run/netns/$1" ]]; }

recorded_live_pids() {
  [[ -f "$NKL_STATE" ]] || return 0
  local kind pid st label
  while read -r kind pid st label; do
    [[ "$kind" == pid ]] || continue
    pid_live "$pid" "$st" && echo "$pid $st $label"
  done <"$NKL_STATE"
  return 0
}

# stop_pid PID STARTTIME LABEL: TERM, then KILL after 10s.
stop_pid() {
  local pid="$1" st="$2" label="$3"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    pid_live "$pid" "$st" || return 0
    sleep 0.1
  done
  log "killing $label ($pid) after 10s"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    pid_live "$pid" "$st" || return 0
    sleep 0.1
  done
}

# Free TCP port on the host for a listener on ADDRESS, from a fixed high default upwards.
free_port() {
  local addr="$1" port="$2"
  while [[ -n "$(ss -Htln "src $addr:$port or src 0.0.0.0:$port or src [::]:$port")" ]]; do
    port=$((port + 1))
  done
  echo "$port"
}

kubectl_() { "$NKL_BIN/kubectl" --kubeconfig "$NKL_DIR/kubeconfig" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

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
