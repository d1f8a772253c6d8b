#!/usr/bin/env bash
# Build (or reuse from the cache) every pinned Kubernetes version in scripts/k8s/versions, so the
# cluster tests of `npm test` find their binaries on a fresh machine. Progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
grep -v '^#' "$here/versions" | while read -r version; do
  [ -n "$version" ] || continue
  "$here/build.sh" "$version" >/dev/null
done
