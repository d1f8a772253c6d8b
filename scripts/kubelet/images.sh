#!/usr/bin/env bash
# Build the two container images the kubelet harness needs, without Docker or a registry (none is
# reachable here): OCI image archives that `ctr images import` loads into containerd.
#
#   scripts/kubelet/images.sh   -> prints the directory holding pause.tar and debug.tar
#
#   localhost/netpath-pause:dev   the pod sandbox: Kubernetes' own pause.c (from the
#                                 k8s.io/kubernetes module source), compiled static
#   localhost/netpath-debug:dev   netpath's debug pod image: busybox-static (sh, sleep, chroot).
#                                 netpath runs the node's own iptables/nft/ipset/curl through
#                                 `chroot /host`, so the image needs no copies of them.
#
# Cached under ${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/kubelet-images/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${NETPATH_K8S_VERSION:-$(grep -m1 '^v' "$here/../k8s/versions")}"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/kubelet-images"
export PATH="/usr/local/go/bin:$PATH"
log() { printf '[images +%ss] %s\n' "$SECONDS" "$*" >&2; }

if [[ -s "$OUT/pause.tar" && -s "$OUT/debug.tar" ]]; then
  log "cached in $OUT"
  echo "$OUT"
  exit 0
fi
for tool in gcc busybox go sha256sum tar; do
  command -v "$tool" >/dev/null || { echo "images.sh: $tool is missing (apt-get install gcc libc6-dev busybox-static)" >&2; exit 1; }
done
busybox_bin="$(command -v busybox)"
# busybox-static's binary has no dynamic section; the debug image holds nothing else.
if ldd "$busybox_bin" >/dev/null 2>&1; then
  echo "images.sh: $busybox_bin is dynamically linked; apt-get install busybox-static" >&2
  exit 1
fi

mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/netpath-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }

# oci_archive NAME ROOTFS ENTRYPOINT_JSON OUT.tar: a one-layer OCI image layout, tarred. The
# index annotation io.containerd.image.name is the name `ctr images import` gives the image.
oci_archive() {
  local name="$1" rootfs="$2" entrypoint="$3" out="$4"
  local layout="$work/layout-$(basename "$out" .tar)"
  mkdir -p "$layout/blobs/sha256"
  # Reproducible layer: sorted, fixed times and owners.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local layer_sha layer_size
  layer_sha="$(sha "$work/layer.tar")"
  layer_size="$(stat -c %s "$work/layer.tar")"
  mv "$work/layer.tar" "$layout/blobs/sha256/$layer_sha"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin:/usr/bin:/sbin:/usr/sbin"],"Entrypoint":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$entrypoint" "$layer_sha" >"$work/config.json"
  local config_sha config_size
  config_sha="$(sha "$work/config.json")"
  config_size="$(stat -c %s "$work/config.json")"
  mv "$work/config.json" "$layout/blobs/sha256/$config_sha"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_sha" "$config_size" "$layer_sha" "$layer_size" >"$work/manifest.json"
  local manifest_sha manifest_size
  manifest_sha="$(sha "$work/manifest.json")"
  manifest_size="$(stat -c %s "$work/manifest.json")"
  mv "$work/manifest.json" "$layout/blobs/sha256/$manifest_sha"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_sha" "$manifest_size" "$name" "${name##*:}" >"$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  log "$name -> $out (layer sha256:$layer_sha, $layer_size bytes)"
}

# --- pause ---------------------------------------------------------------------------------
go mod download "k8s.io/kubernetes@$VERSION" >/dev/null
pause_c="$(go env GOMODCACHE)/k8s.io/kubernetes@$VERSION/build/pause/linux/pause.c"
[[ -f "$pause_c" ]] || { echo "images.sh: no $pause_c" >&2; exit 1; }
mkdir -p "$work/pause"
# As build/pause/Makefile builds it.
gcc -Os -Wall -Werror -static -DVERSION="netpath-$VERSION" -o "$work/pause/pause" "$pause_c"
strip "$work/pause/pause"
oci_archive localhost/netpath-pause:dev "$work/pause" '["/pause"]' "$OUT/pause.tar"

# --- debug ---------------------------------------------------------------------------------
root="$work/debug"
mkdir -p "$root/bin" "$root/tmp" "$root/etc"
cp "$busybox_bin" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
oci_archive localhost/netpath-debug:dev "$root" '["/bin/sh"]' "$OUT/debug.tar"

echo "$OUT"
