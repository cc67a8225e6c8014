# Last step of the offline Hermes build: the runtime server and the image settings over the Hermes
# base. Same layout, user, environment and entrypoint as infra/images/hermes.Dockerfile.
ARG BASE
FROM ${BASE}
COPY runtime/ /opt/nora/runtime/
# Shared libraries the runtime server's native modules link that the base lacked (often none).
COPY libs/ /
# The terminal endpoint needs node-pty to load and open a PTY here: fail the build, not a session.
RUN ["/usr/local/bin/node", "-e", "require('/opt/nora/runtime/node_modules/@lydell/node-pty').spawn('/bin/sh', ['-c', 'exit 7'], {}).onExit((e) => process.exit(e.exitCode === 7 ? 0 : 1))"]
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
