# One Node service of the monorepo, chosen with build arguments:
#   WORKSPACE=backend-api          ENTRY=dist/server.js
#   WORKSPACE=workers/provisioner  ENTRY=dist/main.js
#   WORKSPACE=workers/backup       ENTRY=dist/main.js
# Build from the repository root: docker build -f infra/docker/service.Dockerfile --build-arg ... .
# Written for the legacy builder too: no BuildKit-only syntax.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Only the lockfile and every workspace's package.json: the install layers below stay cached
# until one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name node_modules -prune -o -name package.json -print \
    | xargs -I{} sh -c 'mkdir -p "/manifests/$(dirname "{}")" && cp "{}" "/manifests/{}"'

FROM ${NODE_IMAGE} AS build
ARG WORKSPACE
ENV NEXT_TELEMETRY_DISABLED=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN test -n "$WORKSPACE" || { echo "build argument WORKSPACE is required" >&2; exit 1; } \
 && npm ci --workspace="$WORKSPACE" --include-workspace-root
COPY . .
RUN npx turbo run build --filter="./$WORKSPACE" --output-logs=errors-only
# Every workspace the service needs now has a dist/: keep those, minus sources and build metadata
# (runtime assets such as packages/core/migrations come along).
RUN mkdir /out \
 && cp package.json /out/ \
 && for dir in */ packages/*/ workers/*/; do \
      dir="${dir%/}"; \
      [ -d "$dir/dist" ] || continue; \
      mkdir -p "/out/$dir" \
      && cp -R "$dir/." "/out/$dir/" \
      && rm -rf "/out/$dir/src" "/out/$dir/test" "/out/$dir/node_modules" "/out/$dir/.turbo" "/out/$dir"/tsconfig*.json \
      && find "/out/$dir" -name '*.tsbuildinfo' -delete; \
    done

FROM ${NODE_IMAGE} AS prod-deps
ARG WORKSPACE
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
WORKDIR /src
COPY --from=manifests /manifests/ ./
# Production dependencies of this workspace only; node_modules folders keep their paths
# (a workspace may hold its own when versions differ).
RUN npm ci --omit=dev --workspace="$WORKSPACE" \
 && mkdir /deps \
 && find . -name node_modules -type d -prune \
    -exec sh -c 'mkdir -p "/deps/$(dirname "$1")" && mv "$1" "/deps/$1"' _ {} \;

FROM ${NODE_IMAGE}
ARG WORKSPACE
ARG ENTRY
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    NORA_MAIN=/app/${WORKSPACE}/${ENTRY}
WORKDIR /app
# Owned by root and read-only for the service user.
COPY --from=prod-deps /deps/ ./
COPY --from=build /out/ ./
RUN test -f "$NORA_MAIN" || { echo "no $NORA_MAIN: check the WORKSPACE and ENTRY build arguments" >&2; exit 1; }
USER node
# exec: node replaces the shell and receives SIGTERM directly.
CMD exec node "$NORA_MAIN"
