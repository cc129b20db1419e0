#!/usr/bin/env bash
# Installs the Debian 12 packages Rewind builds with (only those that are missing).
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config ccache libgtest-dev libgmock-dev librapidcheck-dev
  libclang-16-dev libclang-cpp16-dev llvm-16-dev clang-16 nlohmann-json3-dev
  libfmt-dev libtrompeloeil-cpp-dev libbenchmark-dev libcli11-dev libyaml-cpp-dev libcpp-httplib-dev
  libzstd-dev libsqlite3-dev libssl-dev clang-tidy-16 clang-format-16
  libclang-rt-16-dev libpcre2-dev libcurl4-openssl-dev libcpp-httplib-dev python3 python3-yaml chromium
  clang-tools-16 python3-jsonschema  # rewind-lint: clang-apply-replacements-16, SARIF schema test
  autoconf automake libtool)  # server_js_durable_sdk: npm's aws-lambda-ric builds its native addon with them
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
