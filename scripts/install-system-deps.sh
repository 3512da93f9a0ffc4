#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the end-to-end tests, a Thai font so pages render.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-thai-tlwg-ttf >/dev/null 2>&1 || missing+=(fonts-thai-tlwg-ttf)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
