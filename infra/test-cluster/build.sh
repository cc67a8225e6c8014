#!/usr/bin/env bash
# Test tooling only: builds the test-cluster binary (real kube-apiserver, kube-controller-manager and
# kube-scheduler over embedded etcd, loopback only) and KWOK (from its own module in ./kwok) into a
# cache keyed by content hashes, reuses them when present, and prints the test-cluster path as the
# last line of stdout. Concurrent callers (vitest workers, `npm test`'s background build, benchmarks)
# serialise on a lock in the cache root: the second waits for the first build instead of repeating it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${NORA_TEST_CLUSTER_CACHE:-/var/tmp/nora-test-cluster}"
mkdir -p "$cache_root"

exec 9>"$cache_root/.lock"
if ! flock -n 9; then
  echo "build.sh: another build holds $cache_root/.lock; waiting for it" >&2
  flock 9
fi

# Content hash of a module directory: toolchain, this script (it holds the build flags), go.mod,
# go.sum and every .go file.
hash_dir() {
  (cd "$1" && { go version; cat -- "$here/build.sh"; for f in go.mod go.sum $(LC_ALL=C ls -- *.go); do
    printf '%s\0' "$f"; cat -- "$f"; done; } | sha256sum | cut -c1-16)
}

# KWOK: upstream sigs.k8s.io/kwok/cmd/kwok at the version pinned in kwok/go.mod, plus KWOK's own
# default stages (the ones `kwokctl` configures: node-initialize, node-heartbeat-with-lease,
# pod-ready, pod-complete, pod-delete), copied from the module source.
khash="$(hash_dir "$here/kwok")"
kdir="$cache_root/kwok-$khash"
if [[ ! -x "$kdir/kwok" || ! -f "$kdir/kwok-stages.yaml" ]]; then
  mkdir -p "$kdir"
  echo "building kwok into $kdir (cold build: several minutes on 2 cores)" >&2
  (cd "$here/kwok" && go build -trimpath -o "$kdir/kwok.tmp.$$" sigs.k8s.io/kwok/cmd/kwok) >&2
  src="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat -- "$src/$f"
  done >"$kdir/kwok-stages.yaml.tmp.$$"
  mv -f "$kdir/kwok-stages.yaml.tmp.$$" "$kdir/kwok-stages.yaml"
  mv -f "$kdir/kwok.tmp.$$" "$kdir/kwok"
fi

# test-cluster, stamped with the Kubernetes version it is built from (otherwise /version says
# v0.0.0-master+$Format:%H$).
hash="$(hash_dir "$here")"
out="$cache_root/$hash/test-cluster"
if [[ ! -x "$out" ]]; then
  mkdir -p "$cache_root/$hash"
  read -r kver ktime < <(cd "$here" && go list -m -f '{{.Version}} {{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
  IFS=. read -r kmajor kminor _ <<<"${kver#v}"
  ldflags=""
  # No gitCommit: the module zip does not carry one (empty rather than the placeholder "$Format:%H$").
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$kmajor -X $pkg.gitMinor=$kminor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.gitCommit= -X $pkg.buildDate=$ktime"
  done
  echo "building test-cluster ($kver) into $out (cold build: 15-30 min on 2 cores)" >&2
  (cd "$here" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" .) >&2
  mv -f "$out.tmp.$$" "$out"
fi

# test-cluster finds kwok next to itself; the link follows kwok's hash (replaced atomically).
if [[ "$(readlink "$cache_root/$hash/kwok" 2>/dev/null || true)" != "../kwok-$khash/kwok" ]]; then
  ln -sfn "../kwok-$khash/kwok" "$cache_root/$hash/kwok.tmp.$$"
  mv -Tf "$cache_root/$hash/kwok.tmp.$$" "$cache_root/$hash/kwok"
fi
echo "$out"
