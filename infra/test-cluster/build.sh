#!/usr/bin/env bash
# Test tooling only: builds the test-cluster binary (real kube-apiserver + kube-controller-manager
# over embedded etcd, loopback only) into a cache keyed by a content hash of go.mod, go.sum and
# the .go files, reuses it when present, and prints its path as the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${NORA_TEST_CLUSTER_CACHE:-/var/tmp/nora-test-cluster}"
cd "$here"
hash="$( { go version; for f in go.mod go.sum $(LC_ALL=C ls -- *.go); do printf '%s\0' "$f"; cat -- "$f"; done; } \
  | sha256sum | cut -c1-16)"
out="$cache_root/$hash/test-cluster"
if [[ ! -x "$out" ]]; then
  mkdir -p "$cache_root/$hash"
  tmp="$out.tmp.$$"
  echo "building test-cluster into $out (cold build: 10-20 min on 2 cores)" >&2
  go build -trimpath -o "$tmp" . >&2
  mv -f "$tmp" "$out"
fi
echo "$out"
