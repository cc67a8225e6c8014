# Last step of the offline Hermes build: the runtime server and the image settings over the Hermes
# base. Same layout, user, environment and entrypoint as infra/images/hermes.Dockerfile.
ARG BASE
FROM ${BASE}
COPY runtime/ /opt/nora/runtime/
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
