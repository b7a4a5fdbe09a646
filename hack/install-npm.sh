#!/usr/bin/env bash
# npm ci, skipped when node_modules already matches the lockfile.
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
cc_step "npm ci" "$log" "check the npm registry is reachable; then 'make deps'" \
  npm ci --no-audit --no-fund --prefer-offline
echo "$want" >node_modules/.chatcluster-lock-sha
