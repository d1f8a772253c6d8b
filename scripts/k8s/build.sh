#!/usr/bin/env bash
# Build etcd, kube-apiserver, kube-controller-manager, kube-proxy and kubectl for one pinned
# Kubernetes version from the Go module proxy, for the e2e harness (scripts/cluster/up).
#
#   scripts/k8s/build.sh [v1.36.3]    -> prints the bin dir on the last line of stdout
#                                        (default: the first version in scripts/k8s/versions)
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces the k8s.io staging modules with
# ./staging paths. So we build inside a throwaway module that requires k8s.io/kubernetes and
# replaces each staging module with its published v0.Y.Z twin. etcd has the same problem
# (../api replaces), so it gets its own throwaway module at the version Kubernetes pins.
# Output is cached under ${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/k8s/VERSION/bin/.
set -euo pipefail

VERSION="${1:-$(grep -m1 '^v' "$(dirname "${BASH_SOURCE[0]}")/versions")}"
[[ "$VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "build.sh: version must look like v1.36.3" >&2; exit 2; }
MINOR="${BASH_REMATCH[1]}"
STAGING_VERSION="v0.${MINOR}.${BASH_REMATCH[2]}"

export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/k8s/$VERSION"
BIN="$ROOT/bin"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-proxy kubectl)
STAMP="$BIN/.complete"

log() { printf '[build %s +%ss] %s\n' "$VERSION" "$SECONDS" "$*" >&2; }

if [[ -f "$STAMP" ]]; then
  missing=0
  for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || missing=1; done
  if [[ $missing -eq 0 ]]; then
    log "cached: $(tr '\n' ' ' <"$STAMP")"
    echo "$BIN"
    exit 0
  fi
fi

mkdir -p "$BIN" "$ROOT/kube" "$ROOT/etcd"
rm -f "$STAMP"

log "go $(go env GOVERSION), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE)"
KUBE_MOD="$(go mod download -json "k8s.io/kubernetes@$VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$KUBE_MOD" ]] || { echo "build.sh: cannot download k8s.io/kubernetes@$VERSION" >&2; exit 1; }
log "downloaded k8s.io/kubernetes@$VERSION go.mod"

# --- Kubernetes -----------------------------------------------------------------------------
GO_DIRECTIVE="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$KUBE_MOD")"
STAGING=($(sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$KUBE_MOD"))
((${#STAGING[@]} > 10)) || { echo "build.sh: found no staging replaces in $KUBE_MOD" >&2; exit 1; }
{
  echo "module netpath.local/k8sbuild"
  echo
  echo "go $GO_DIRECTIVE"
  # Same runtime defaults (godebug) as the upstream binaries.
  grep '^godebug ' "$KUBE_MOD" || true
  echo
  echo "require k8s.io/kubernetes $VERSION"
  echo
  echo "replace ("
  for m in "${STAGING[@]}"; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
  echo ")"
} >"$ROOT/kube/go.mod"
touch "$ROOT/kube/go.sum"

ETCD_VERSION="$(sed -n 's#^\tgo\.etcd\.io/etcd/server/v3 \(v[0-9.]*\).*#\1#p' "$KUBE_MOD")"
[[ -n "$ETCD_VERSION" ]] || { echo "build.sh: no etcd server version in $KUBE_MOD" >&2; exit 1; }

BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kv() { printf -- "-X 'k8s.io/client-go/pkg/version.%s=%s' -X 'k8s.io/component-base/version.%s=%s' " "$1" "$2" "$1" "$2"; }
# hack/lib/version.sh sets these; the git commit is unknown outside a git checkout.
KUBE_LDFLAGS="-s -w $(kv gitVersion "$VERSION")$(kv gitMajor 1)$(kv gitMinor "$MINOR")$(kv gitTreeState clean)$(kv gitCommit "module-proxy-$VERSION")$(kv buildDate "$BUILD_DATE")"

log "building kube-apiserver kube-controller-manager kube-proxy kubectl (${#STAGING[@]} staging modules at $STAGING_VERSION)"
t0=$SECONDS
(
  cd "$ROOT/kube"
  go build -trimpath -ldflags "$KUBE_LDFLAGS" -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl
)
log "kubernetes binaries built in $((SECONDS - t0))s"

# --- etcd -----------------------------------------------------------------------------------
ETCD_MOD="$(go mod download -json "go.etcd.io/etcd/server/v3@$ETCD_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
{
  echo "module netpath.local/etcdbuild"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$ETCD_MOD")"
  echo
  echo "require ("
  # The server's go.mod replaces its siblings with ../ paths; pin them to the same release.
  for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do printf '\tgo.etcd.io/etcd/%s %s\n' "$m" "$ETCD_VERSION"; done
  echo ")"
} >"$ROOT/etcd/go.mod"
touch "$ROOT/etcd/go.sum"
log "building etcd $ETCD_VERSION"
t0=$SECONDS
(
  cd "$ROOT/etcd"
  go build -trimpath -ldflags "-s -w -X 'go.etcd.io/etcd/api/v3/version.GitSHA=module-proxy-$ETCD_VERSION'" \
    -o "$BIN/etcd" go.etcd.io/etcd/server/v3
)
log "etcd built in $((SECONDS - t0))s"

"$BIN/kube-proxy" --version >&2
"$BIN/etcd" --version >&2
printf 'kubernetes=%s\netcd=%s\ngo=%s\nbuilt=%s\nseconds=%s\n' \
  "$VERSION" "$ETCD_VERSION" "$(go env GOVERSION)" "$BUILD_DATE" "$SECONDS" >"$STAMP"
log "done in ${SECONDS}s -> $BIN"
echo "$BIN"
