# Second step of the offline Hermes build, run with --network none over the imported Debian root:
# Hermes into a venv at /opt/hermes from the hash-pinned wheels in the context (pip refuses any file
# whose hash differs, and anything not listed), everything byte-compiled (the root is read-only at
# run time), CA certificates assembled. Legacy-builder syntax only.
ARG ROOTFS
FROM ${ROOTFS} AS hermes
COPY wheels/ /tmp/wheels/
RUN /usr/bin/python3.11 -m venv /opt/hermes \
 && /opt/hermes/bin/pip install --no-cache-dir --disable-pip-version-check --no-compile --no-index \
      --require-hashes --no-deps --only-binary :all: --find-links /tmp/wheels -r /tmp/wheels/requirements.txt \
 && /opt/hermes/bin/pip check \
 && /opt/hermes/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash /opt/hermes/lib

ARG ROOTFS
FROM ${ROOTFS}
COPY --from=hermes /opt/hermes /opt/hermes
# What ca-certificates' and python3.11's maintainer scripts would have done; then Hermes starts once.
RUN cd /usr/share/ca-certificates \
 && find . -name '*.crt' | sed 's|^\./||' | LC_ALL=C sort >/etc/ca-certificates.conf \
 && update-ca-certificates >/dev/null \
 && /usr/bin/python3.11 -m compileall -q -f -j 0 --invalidation-mode unchecked-hash /usr/lib/python3.11 /usr/lib/python3 \
 && HOME=/tmp/check HERMES_HOME=/tmp/check/hermes /opt/hermes/bin/hermes --version \
 && rm -rf /tmp/check
