#!/usr/bin/env bash
# Installs the npm workspaces from the lockfile, skipped when node_modules already
# matches it. Not `npm ci`: the registry these machines reach lacks some other
# platforms' optional binaries (e.g. @biomejs/cli-darwin-x64), so the lockfile
# npm writes here omits them and `npm ci` rejects it as out of sync; `npm install`
# installs exactly the locked versions all the same.
source "$(dirname "$0")/lib/common.sh"
cd "$CC_REPO"
log="$CC_LOGS/npm-ci.log"
: >"$log"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat node_modules/.chatcluster-lock-sha 2>/dev/null || true)
if [[ "$want" == "$have" ]]; then
  cc_skip "npm dependencies" "lockfile unchanged"
  exit 0
fi
cc_step "npm install (lockfile)" "$log" "check the npm registry is reachable; then 'make deps'" \
  npm install --no-audit --no-fund --prefer-offline
sha256sum package-lock.json | cut -d' ' -f1 >node_modules/.chatcluster-lock-sha
