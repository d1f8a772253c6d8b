#!/usr/bin/env bash
# Build krew and its validate-krew-manifest from the Go module proxy, for the release test
# (test/release/krew.test.ts): the same tools a krew-index pull request and a user run.
#
#   scripts/krew/build.sh    -> prints the bin dir on the last line of stdout
#
# v0.4.3: the newest sigs.k8s.io/krew the Go module proxy serves when pinned (later tags are not
# available there). Its go.mod has no replace directives, so `go install mod@version` works.
# Output is cached under ${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/krew/VERSION/bin/.
set -euo pipefail

VERSION=v0.4.3
export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

BIN="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpath/krew/$VERSION/bin"
STAMP="$BIN/.complete"
log() { printf '[krew %s +%ss] %s\n' "$VERSION" "$SECONDS" "$*" >&2; }

if [[ -f "$STAMP" && -x "$BIN/kubectl-krew" && -x "$BIN/validate-krew-manifest" ]]; then
  log "cached: $(tr '\n' ' ' <"$STAMP")"
  echo "$BIN"
  exit 0
fi
mkdir -p "$BIN"
rm -f "$STAMP"
log "building krew and validate-krew-manifest with go $(go env GOVERSION)"
GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$VERSION" \
  "sigs.k8s.io/krew/cmd/krew@$VERSION" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$VERSION"
# kubectl finds the plugin as `kubectl krew` by this name.
mv "$BIN/krew" "$BIN/kubectl-krew"
printf 'krew=%s\ngo=%s\nseconds=%s\n' "$VERSION" "$(go env GOVERSION)" "$SECONDS" >"$STAMP"
log "done in ${SECONDS}s -> $BIN"
echo "$BIN"
