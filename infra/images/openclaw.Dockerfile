# The OpenClaw agent runtime: the OpenClaw gateway (18789) supervised by Nora's runtime server (9090).
# Build from the repository root:
#   docker build -f infra/images/openclaw.Dockerfile -t nora-runtime-openclaw .
# Without a registry, build-openclaw-offline.sh produces an equivalent image (same layout, user,
# environment and entrypoint). Legacy-builder syntax only.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# OpenClaw, pinned by infra/images/openclaw/package-lock.json. `npm ci --ignore-scripts` leaves a
# lifecycle marker that running the CLI once clears: a read-only root could not do it at run time.
FROM ${NODE_IMAGE} AS openclaw
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
WORKDIR /opt/openclaw
COPY infra/images/openclaw/package.json infra/images/openclaw/package-lock.json ./
RUN npm ci --ignore-scripts --omit=dev \
 && node node_modules/openclaw/openclaw.mjs --version

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

FROM ${NODE_IMAGE}
COPY --from=openclaw /opt/openclaw /opt/openclaw
COPY --from=server /out /opt/nora/runtime
# The terminal endpoint needs node-pty to load and open a PTY here: fail the build, not a session.
RUN ["/usr/local/bin/node", "-e", "require('/opt/nora/runtime/node_modules/@lydell/node-pty').spawn('/bin/sh', ['-c', 'exit 7'], {}).onExit((e) => process.exit(e.exitCode === 7 ? 0 : 1))"]
# Everything the runtime writes lives on mounts: workspace and state volumes, tmpfs for /tmp and
# the log directory, read-only bootstrap and secrets. The root filesystem can be read-only.
RUN mkdir -p /nora/workspace /nora/state /etc/nora /run/nora/secrets /var/log/nora \
 && chown node:node /nora/workspace /nora/state /var/log/nora /run/nora/secrets \
 && chmod 0700 /run/nora/secrets
ENV NODE_ENV=production \
    HOME=/nora/state/home \
    TMPDIR=/tmp \
    NORA_RUNTIME_FAMILY=openclaw \
    DO_NOT_TRACK=1 \
    OPENCLAW_NO_AUTO_UPDATE=1 \
    OPENCLAW_DISABLE_BONJOUR=1
LABEL org.nora.runtime=openclaw
WORKDIR /nora/workspace
# uid 1000, the same as the offline image.
USER node
EXPOSE 9090 18789
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/node", "/opt/nora/runtime/dist/server/main.js"]
