# Second step of the offline build: completes OpenClaw's install on the imported root filesystem.
# `npm ci --ignore-scripts` leaves a lifecycle marker; running the CLI once finishes setup, which
# a read-only root could not do at run time. Legacy-builder syntax only.
ARG ROOTFS
FROM ${ROOTFS}
RUN ["/usr/local/bin/node", "/opt/openclaw/node_modules/openclaw/openclaw.mjs", "--version"]
