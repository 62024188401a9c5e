#!/usr/bin/env bash
# Prepares a Debian machine (as root) for `npm test`: the packages the tests drive for real
# and a Redis on 127.0.0.1:6379. Safe to run again; does nothing that is already done.
set -euo pipefail

PACKAGES=(
  openssl            # test PKI, OCSP responder (openssl ocsp), CRLs (openssl ca), s_client
  chromium           # browser tests (driven by playwright-core, never a downloaded browser)
  libnss3-tools      # certutil, pk12util, modutil: the browser's certificate database
  softhsm2           # simulated smart card (PKCS#11 token)
  opensc             # pkcs11-tool, to write keys onto the token
  libengine-pkcs11-openssl  # OpenSSL clients using the token's key
  xvfb               # headed Chromium for the smart-card PIN dialog
  xdotool            # types the PIN into that dialog
  nginx              # the TLS-terminating proxy of the proxy-mode tests
  redis-server       # the shared store; the failure tests start their own instances
  redis-tools        # redis-cli: the store tests build a private Redis Cluster with it
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The browser tests install and remove Chromium's AutoSelectCertificateForUrls policy here
# (test/support/chromium.ts); the directory must exist and be writable by whoever runs them.
mkdir -p /etc/chromium/policies/managed

# The Debian nginx package starts a server on port 80 at install; the tests start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "setup: starting redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
echo "setup: ready"
