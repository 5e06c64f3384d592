#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running
# ccm-gateway need. Idempotent: does nothing when all are present.
# `install-deps.sh sanitize` adds clang and its libFuzzer runtime (the
# sanitizer build: `make test-sanitize`, `make fuzz`).
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libpoco-dev libsqlite3-dev libpq-dev libssl-dev openssl
  libjemalloc-dev
  rapidjson-dev
  libmosquitto-dev mosquitto
  librdkafka-dev
  libnats-dev nats-server
  libboost-dev
  libyaml-cpp-dev
  googletest libgtest-dev libgmock-dev
  libbenchmark-dev
  postgresql
  curl wrk
  chromium chromium-driver
  dpkg-dev file
  systemd
)
if [ "${1:-}" = sanitize ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
