#!/usr/bin/env bash
# Creates (once) a private SoftHSM2 token labelled "trustloop" under DIR for tests and local runs,
# then prints the line that points SoftHSM2 at it. Fixed test PINs: never use this for real keys.
#   eval "$(bash scripts/softhsm-token.sh .tmp/softhsm)"
set -euo pipefail

dir="${1:?usage: softhsm-token.sh DIR}"
label="${SOFTHSM_TOKEN_LABEL:-trustloop}"
so_pin="${SOFTHSM_SO_PIN:-12345678}"
user_pin="${SOFTHSM_USER_PIN:-1234}"

command -v softhsm2-util >/dev/null || {
  echo "softhsm2-util not found: apt-get install -y softhsm2" >&2
  exit 1
}

mkdir -p "$dir/tokens"
dir="$(cd "$dir" && pwd)"
conf="$dir/softhsm2.conf"
cat >"$conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$conf"

# Idempotent: a token with this label already initialised in this directory is kept as it is.
if ! softhsm2-util --show-slots 2>/dev/null | grep -Eq "^\s*Label:\s+$label\s*$"; then
  softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$user_pin" >/dev/null
fi

printf 'export SOFTHSM2_CONF=%q\n' "$conf"
