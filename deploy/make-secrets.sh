#!/usr/bin/env bash
# Writes the secrets docker-compose.yml mounts into deploy/secrets/ (git-ignored; never
# commit them). Run once, as root (the files are given to the containers' users), from the
# repository root, on the machine that runs compose:
#   sudo bash deploy/make-secrets.sh [public-host-name]
# Existing files are kept, so running it again rotates nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${1:-localhost}"
dir="${EID_IDP_SECRETS_DIR:-deploy/secrets}"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077

random() { openssl rand -base64 48 | tr -d '\n/+=' | head -c 48; }
write_once() { [ -s "$dir/$1" ] || { "${@:2}" > "$dir/$1"; echo "wrote $dir/$1"; }; }

write_once subject-key random
write_once cookie-keys random
write_once redis-password random
# Redis reads its password from a configuration file, so it never shows in `ps`.
write_once redis-auth.conf sh -c "printf 'requirepass %s\n' \"\$(cat $dir/redis-password)\""
write_once metrics-token random
write_once example-rp-secret random
write_once signing-keys node --import tsx -e \
  "import('./src/oidc/signing-keys.ts').then((m) => process.stdout.write(m.generateJwks()))"

# A self-signed TLS certificate for nginx, for trying the stack out. In production put the
# certificate of your public names (and its intermediates) in tls-cert and its key in tls-key.
if [ ! -s "$dir/tls-cert" ]; then
  openssl req -x509 -newkey rsa:2048 -sha256 -days 90 -nodes -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host" -keyout "$dir/tls-key" -out "$dir/tls-cert" 2>/dev/null
  echo "wrote $dir/tls-cert and $dir/tls-key (self-signed, for $host)"
fi
# Compose mounts these files as they are: mode 0600 (the IdP refuses secrets others can
# read), owned by the user that reads them: node (uid 1000) in the IdP image, redis (999) in
# the Redis image; nginx reads its key as root before dropping privileges.
chmod 600 "$dir"/*
if [ "$(id -u)" != 0 ]; then
  echo "not root: give the files to uid 1000 (IdP), 999 (redis-auth.conf) and root (tls-*) yourself" >&2
  exit 0
fi
chown 1000:1000 "$dir"/subject-key "$dir"/cookie-keys "$dir"/signing-keys "$dir"/redis-password \
  "$dir"/metrics-token "$dir"/example-rp-secret
chown 999:999 "$dir"/redis-auth.conf
chown 0:0 "$dir"/tls-key "$dir"/tls-cert
