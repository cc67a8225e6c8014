#!/bin/sh
# Second step of the offline Hermes build, run by build-hermes-offline.sh as root with no network in
# the imported Debian root, which is then committed as the base image: Hermes into a venv at
# /opt/hermes from the hash-pinned wheels (pip refuses any file whose hash differs, and anything not
# listed), everything byte-compiled (the root is read-only at run time), the CA bundle that
# ca-certificates' maintainer script would have assembled, and one start of the Hermes CLI.
set -eu
export HOME=/tmp/home

/usr/bin/python3.11 -m venv /opt/hermes
/opt/hermes/bin/pip install --no-cache-dir --disable-pip-version-check --no-compile --no-index \
  --require-hashes --no-deps --only-binary :all: --find-links /tmp/wheels -r /tmp/requirements.txt
/opt/hermes/bin/pip check
/usr/bin/python3.11 -m compileall -q -f -j 0 --invalidation-mode unchecked-hash \
  /opt/hermes/lib /usr/lib/python3.11 /usr/lib/python3

cd /usr/share/ca-certificates
find . -name '*.crt' | sed 's|^\./||' | LC_ALL=C sort >/etc/ca-certificates.conf
update-ca-certificates >/dev/null

HERMES_HOME=/tmp/hermes /opt/hermes/bin/hermes --version
