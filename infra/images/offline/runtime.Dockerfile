# Last step of the offline build: the runtime server and the image settings over the OpenClaw base.
# Same layout, user, environment and entrypoint as infra/images/openclaw.Dockerfile.
ARG BASE
FROM ${BASE}
COPY runtime/ /opt/nora/runtime/
# Shared libraries the runtime server's native modules link that the base lacked (often none).
COPY libs/ /
# The terminal endpoint needs node-pty to load and open a PTY here: fail the build, not a session.
RUN ["/usr/local/bin/node", "-e", "require('/opt/nora/runtime/node_modules/@lydell/node-pty').spawn('/bin/sh', ['-c', 'exit 7'], {}).onExit((e) => process.exit(e.exitCode === 7 ? 0 : 1))"]
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    NODE_ENV=production \
    HOME=/nora/state/home \
    TMPDIR=/tmp \
    NORA_RUNTIME_FAMILY=openclaw \
    DO_NOT_TRACK=1 \
    OPENCLAW_NO_AUTO_UPDATE=1 \
    OPENCLAW_DISABLE_BONJOUR=1
LABEL org.nora.runtime=openclaw
WORKDIR /nora/workspace
USER 1000:1000
EXPOSE 9090 18789
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/node", "/opt/nora/runtime/dist/server/main.js"]
