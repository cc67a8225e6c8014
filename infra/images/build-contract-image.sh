#!/usr/bin/env bash
# Builds the contract-only runtime image, nora-runtime-contract:<hash>: the OpenClaw runtime image
# (built or reused by build-openclaw-offline.sh) with NORA_AGENT_COMMAND=none and
# NORA_GATEWAY_HEALTH_URL=none, so the 9090 runtime server runs alone. Tagged by a hash of the base
# image id and infra/images/contract/Dockerfile, reused when present. The tag is the last line of
# stdout. Same requirements as build-openclaw-offline.sh (root, docker, npm).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_NAME="nora-runtime-contract"

base_tag="$("$HERE/build-openclaw-offline.sh" | tail -n 1)"
base_id="$(docker image inspect --format '{{.Id}}' "$base_tag")"
hash="$({ echo "$base_id"; cat "$HERE/contract/Dockerfile"; } | sha256sum | cut -c1-16)"
tag="$REPO_NAME:$hash"

if docker image inspect "$tag" >/dev/null 2>&1; then
  printf '==> reusing %s\n' "$tag" >&2
else
  printf '==> building %s from %s\n' "$tag" "$base_tag" >&2
  docker build --quiet --label "org.nora.inputs-hash=$hash" --build-arg "BASE=$base_id" \
    -t "$tag" "$HERE/contract" >/dev/null
fi
echo "$tag"
