#!/usr/bin/env bash
# Install the Debian packages the project needs (browser tests, CJK fonts for
# PDF/screenshot rendering, PostgreSQL for the test database, gettext for
# translations). Runs on every `make test`, so the all-present path must be
# silent and fast: it only queries dpkg, never apt.
#
# Override the list with GIGUNION_SYSTEM_PACKAGES="pkg1 pkg2" (space-separated).
set -euo pipefail

default_packages="chromium chromium-driver fonts-wqy-microhei postgresql gettext"
read -r -a packages <<<"${GIGUNION_SYSTEM_PACKAGES:-$default_packages}"

missing=()
for pkg in "${packages[@]}"; do
    # dpkg-query exits non-zero for unknown packages; "deinstall"/"half-installed"
    # states also count as missing, hence the explicit status string.
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${missing[*]}" >&2
    echo "install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "installing system packages: ${missing[*]}"
# Update once: package lists in fresh containers are usually empty or stale.
apt-get update -qq
# --no-install-recommends keeps the install small; chromium still runs headless
# without its recommends (the fonts we need are listed explicitly above).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
