#!/usr/bin/env bash
# Build the kubelet for one pinned Kubernetes version, the way scripts/k8s/build.sh builds the
# other binaries (a throwaway module that requires k8s.io/kubernetes and pins the staging modules
# to their published twins), sharing its Go module and build caches.
#
#   scripts/kubelet/build-kubelet.sh [v1.36.3]   -> prints the kubelet's path on the last line
#
# build.sh runs first (cached after its first run): it writes the throwaway go.mod this script
# copies, and its binaries (etcd, kube-apiserver, kube-proxy, kubectl) are needed by up anyway.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${1:-$(grep -m1 '^v' "$here/../k8s/versions")}"
[[ "$VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "build-kubelet.sh: version must look like v1.36.3" >&2; exit 2; }
MINOR="${BASH_REMATCH[1]}"

export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/k8s/$VERSION"
OUT="$ROOT/kubelet"
log() { printf '[build-kubelet %s +%ss] %s\n' "$VERSION" "$SECONDS" "$*" >&2; }

if [[ -x "$OUT/bin/kubelet" && -f "$OUT/bin/.complete" ]]; then
  log "cached: $(tr '\n' ' ' <"$OUT/bin/.complete")"
  echo "$OUT/bin/kubelet"
  exit 0
fi

"$here/../k8s/build.sh" "$VERSION" >/dev/null
[[ -f "$ROOT/kube/go.mod" ]] || { echo "build-kubelet.sh: build.sh left no $ROOT/kube/go.mod" >&2; exit 1; }

mkdir -p "$OUT/mod" "$OUT/bin"
rm -f "$OUT/bin/.complete"
# A copy, so this build never rewrites the go.sum build.sh owns.
cp "$ROOT/kube/go.mod" "$OUT/mod/go.mod"
cp "$ROOT/kube/go.sum" "$OUT/mod/go.sum" 2>/dev/null || touch "$OUT/mod/go.sum"
sed -i 's#^module .*#module netpath.local/kubeletbuild#' "$OUT/mod/go.mod"

BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kv() { printf -- "-X 'k8s.io/client-go/pkg/version.%s=%s' -X 'k8s.io/component-base/version.%s=%s' " "$1" "$2" "$1" "$2"; }
LDFLAGS="-s -w $(kv gitVersion "$VERSION")$(kv gitMajor 1)$(kv gitMinor "$MINOR")$(kv gitTreeState clean)$(kv gitCommit "module-proxy-$VERSION")$(kv buildDate "$BUILD_DATE")"

log "building kubelet (go $(go env GOVERSION))"
(cd "$OUT/mod" && go build -trimpath -ldflags "$LDFLAGS" -o "$OUT/bin/kubelet" k8s.io/kubernetes/cmd/kubelet)
"$OUT/bin/kubelet" --version >&2
printf 'kubernetes=%s\ngo=%s\nbuilt=%s\nseconds=%s\n' "$VERSION" "$(go env GOVERSION)" "$BUILD_DATE" "$SECONDS" >"$OUT/bin/.complete"
log "done in ${SECONDS}s -> $OUT/bin/kubelet"
echo "$OUT/bin/kubelet"
