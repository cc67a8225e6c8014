# One of the three Next.js apps, from its standalone output:
#   APP=frontend-marketing PORT=3001 | APP=frontend-dashboard PORT=3002 | APP=admin-dashboard PORT=3003
# Build from the repository root: docker build -f infra/docker/next-app.Dockerfile --build-arg ... .
# Written for the legacy builder too: no BuildKit-only syntax.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Only the lockfile and every workspace's package.json: the install layer below stays cached
# until one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name node_modules -prune -o -name package.json -print \
    | xargs -I{} sh -c 'mkdir -p "/manifests/$(dirname "{}")" && cp "{}" "/manifests/{}"'

FROM ${NODE_IMAGE} AS build
ARG APP
ENV NEXT_TELEMETRY_DISABLED=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN test -n "$APP" || { echo "build argument APP is required" >&2; exit 1; } \
 && npm ci --workspace="$APP" --include-workspace-root
COPY . .
RUN npx turbo run build --filter="./$APP" --output-logs=errors-only
# The standalone server does not serve .next/static or public/ unless they sit beside it.
RUN mkdir /out \
 && cp -R "$APP/.next/standalone/." /out/ \
 && cp -R "$APP/.next/static" "/out/$APP/.next/static" \
 && if [ -d "$APP/public" ]; then cp -R "$APP/public" "/out/$APP/public"; fi

FROM ${NODE_IMAGE}
ARG APP
ARG PORT=3000
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=${PORT} \
    HOSTNAME=0.0.0.0 \
    NORA_MAIN=/app/${APP}/server.js
WORKDIR /app
# Owned by root and read-only for the service user.
COPY --from=build /out/ ./
RUN test -f "$NORA_MAIN" || { echo "no $NORA_MAIN: check the APP build argument" >&2; exit 1; }
USER node
EXPOSE ${PORT}
# exec: node replaces the shell and receives SIGTERM directly.
CMD exec node "$NORA_MAIN"
