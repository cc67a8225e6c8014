# The Hermes agent runtime: Nous Research's official Hermes Agent image with Nora's runtime server
# (9090) added as the entrypoint; the server supervises `hermes dashboard` (9119) itself instead of
# the image's s6 init. Build from the repository root:
#   docker build -f infra/images/hermes.Dockerfile -t nora-runtime-hermes .
# This cannot be built without registry access (the base image and its Python packages come from
# Docker Hub and PyPI); pin HERMES_IMAGE by digest for production. Legacy-builder syntax only.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
ARG HERMES_IMAGE=nousresearch/hermes-agent:v2026.6.19

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
 && cp -R "$(node -p 'require("path").dirname(require.resolve("zod/package.json", { paths: ["agent-runtime"] }))')" \
      /out/node_modules/zod

FROM ${NODE_IMAGE} AS node

FROM ${HERMES_IMAGE}
USER root
# The Hermes image is Debian-based (glibc): Node's single binary runs as is.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=server /out /opt/nora/runtime
RUN mkdir -p /nora/workspace /nora/state /etc/nora /run/nora/secrets /var/log/nora \
 && chown 1000:1000 /nora/workspace /nora/state /var/log/nora /run/nora/secrets \
 && chmod 0700 /run/nora/secrets
ENV HOME=/nora/state/home \
    TMPDIR=/tmp \
    HERMES_HOME=/nora/state/hermes \
    NORA_RUNTIME_FAMILY=hermes \
    DO_NOT_TRACK=1
LABEL org.nora.runtime=hermes
WORKDIR /nora/workspace
USER 1000:1000
EXPOSE 9090 9119
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/node", "/opt/nora/runtime/dist/server/main.js"]
