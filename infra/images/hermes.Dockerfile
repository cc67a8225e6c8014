# The Hermes agent runtime: Nous Research's Hermes Agent (hermes-agent from PyPI) in a venv at
# /opt/hermes, supervised by Nora's runtime server (9090). Build from the repository root:
#   docker build -f infra/images/hermes.Dockerfile -t nora-runtime-hermes .
# Without a registry, build-hermes-offline.sh produces the same image from the same inputs: the
# Debian packages of infra/images/hermes/debian-packages.txt, Node 24.21.0, and the wheels pinned by
# hash in infra/images/hermes/requirements.txt. Pin the base images by digest for production.
# Legacy-builder syntax only.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
ARG DEBIAN_IMAGE=debian:bookworm-slim

# The runtime server: agent-runtime's build output and its run-time dependencies (zod, ws, node-pty
# with its linux-x64 binary: infra/images/lib/runtime-deps.cjs), without test tooling.
FROM ${NODE_IMAGE} AS server
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
WORKDIR /src
COPY . .
RUN npm ci --workspace=@nora/agent-runtime --include-workspace-root \
 && npx tsc -b agent-runtime \
 && mkdir -p /out/node_modules \
 && cp agent-runtime/package.json /out/ \
 && cp -R agent-runtime/dist /out/dist \
 && rm -rf /out/dist/testing \
 && find /out/dist \( -name '*.map' -o -name '*.d.ts' -o -name '.tsbuildinfo' \) -delete \
 && node infra/images/lib/runtime-deps.cjs agent-runtime | while IFS="$(printf '\t')" read -r name dir; do \
      mkdir -p "$(dirname "/out/node_modules/$name")" && cp -R "$dir" "/out/node_modules/$name"; done

FROM ${NODE_IMAGE} AS node

# The root: Debian packages, Python's standard library byte-compiled (the root is read-only at run
# time and PYTHONDONTWRITEBYTECODE=1).
FROM ${DEBIAN_IMAGE} AS root
COPY infra/images/hermes/debian-packages.txt /tmp/debian-packages.txt
RUN apt-get update \
 && grep -v '^#' /tmp/debian-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/debian-packages.txt \
 && python3.11 -m compileall -q -f -j 0 --invalidation-mode unchecked-hash /usr/lib/python3.11 /usr/lib/python3

# Hermes: only the wheels pinned by hash (pip refuses any other file, and anything not listed).
FROM root AS hermes
COPY infra/images/hermes/requirements.txt /tmp/requirements.txt
RUN python3.11 -m venv /opt/hermes \
 && /opt/hermes/bin/pip install --no-cache-dir --disable-pip-version-check --no-compile \
      --require-hashes --no-deps --only-binary :all: -r /tmp/requirements.txt \
 && /opt/hermes/bin/pip check \
 && /opt/hermes/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash /opt/hermes/lib

FROM root
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=hermes /opt/hermes /opt/hermes
COPY --from=server /out /opt/nora/runtime
# The terminal endpoint needs node-pty to load and open a PTY here: fail the build, not a session.
RUN ["/usr/local/bin/node", "-e", "require('/opt/nora/runtime/node_modules/@lydell/node-pty').spawn('/bin/sh', ['-c', 'exit 7'], {}).onExit((e) => process.exit(e.exitCode === 7 ? 0 : 1))"]
# uid 1000 with HOME on the state volume. Everything the runtime writes lives on mounts: workspace
# and state volumes, tmpfs for /tmp and the log directory, read-only bootstrap and secrets.
RUN groupadd --gid 1000 hermes \
 && useradd --uid 1000 --gid 1000 --home-dir /nora/state/home --no-create-home --shell /bin/bash hermes \
 && mkdir -p /nora/workspace /nora/state /etc/nora /run/nora/secrets /var/log/nora /opt/nora \
 && chown -R 1000:1000 /nora /var/log/nora \
 && chown 1000:1000 /run/nora/secrets \
 && chmod 0700 /run/nora/secrets \
 && HOME=/tmp/check HERMES_HOME=/tmp/check/hermes /opt/hermes/bin/hermes --version \
 && rm -rf /tmp/check
ENV PATH=/opt/hermes/bin:/usr/local/bin:/usr/bin:/bin \
    NODE_ENV=production \
    HOME=/nora/state/home \
    TMPDIR=/tmp \
    NORA_RUNTIME_FAMILY=hermes \
    HERMES_HOME=/nora/state/hermes \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DO_NOT_TRACK=1
LABEL org.nora.runtime=hermes
WORKDIR /nora/workspace
USER 1000:1000
EXPOSE 9090 8642 9119
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/node", "/opt/nora/runtime/dist/server/main.js"]
