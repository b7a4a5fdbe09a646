#!/usr/bin/env bash
# Installs what the web client's browser tests need, idempotently: Debian's Chromium (driven by the
# npm package playwright-core with executablePath /usr/bin/chromium; `npx playwright install` needs
# downloads this project does not rely on) a Korean and an emoji font so Hangul and emoji render in screenshots.
# A second run prints one "cached" line.
#   hack/install-browser.sh
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

log="$CC_LOGS/install-browser.log"
: >"$log"
pkgs=(chromium fonts-nanum fonts-noto-color-emoji)

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # Another install script may hold the dpkg lock for a while: wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"
  /usr/bin/chromium --version
}

missing=()
for p in "${pkgs[@]}"; do
  apt_installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)) && [[ -x /usr/bin/chromium ]]; then
  cc_skip "browser (apt)" "$(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  cc_step "browser (apt): ${missing[*]}" "$log" \
    "run 'apt-get update && apt-get install -y ${missing[*]}' by hand as root and read apt's error" \
    apt_install "${missing[@]}"
fi
# playwright-core comes with the npm workspaces (web/package.json); say so early if they are missing.
if [[ ! -f "$CC_REPO/node_modules/playwright-core/package.json" ]]; then
  echo "    playwright-core is not installed: run 'make deps' (npm install)" >&2
  exit 1
fi
