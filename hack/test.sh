#!/usr/bin/env bash
# `make test` (and CI): set up (cached), start every server the suites need,
# run lint, type-check, unit and integration suites, and always tear down what
# this script started. Exits non-zero on any failure.
source "$(dirname "$0")/lib/common.sh"
cd "$CC_REPO"
t0=$(cc_now)
timing() { printf '%-28s %4ss\n' "$1" "$2" >>"$CC_LOGS/test-timings.txt"; }
: >"$CC_LOGS/test-timings.txt"

anything_running() {
  local f
  for f in "$CC_PIDS"/*.pid; do
    [[ -e "$f" ]] && cc_alive "$(cat "$f")" && return 0
  done
  return 1
}
started=0
teardown() {
  local rc=$?
  if ((started)); then
    echo "==> tearing down what the tests started"
    "$CC_REPO/hack/cluster-down.sh" || rc=1
    "$CC_REPO/hack/infra-down.sh" || rc=1
    "$CC_REPO/hack/check-clean.sh" || rc=1
  fi
  echo "--- timings"
  cat "$CC_LOGS/test-timings.txt"
  printf '%-28s %4ss\n' "total" "$(($(cc_now) - t0))"
  exit $rc
}
trap teardown EXIT

s=$(cc_now)
"$CC_REPO/hack/install-npm.sh"
"$CC_REPO/hack/install-dataplane.sh"
"$CC_REPO/hack/install-controlplane.sh"
timing "setup" $(($(cc_now) - s))

s=$(cc_now)
echo "==> lint + type-check"
# The same commands as `make lint`: package.json's scripts are their one definition.
npm run --silent lint
npm run --silent typecheck
timing "lint+typecheck" $(($(cc_now) - s))

s=$(cc_now)
echo "==> unit tests"
npx vitest run --project unit
timing "unit tests" $(($(cc_now) - s))

s=$(cc_now)
if anything_running; then
  echo "==> using the local stack that is already running (make up)"
else
  started=1
fi
"$CC_REPO/hack/infra-up.sh"
"$CC_REPO/hack/cluster-up.sh"
timing "servers up" $(($(cc_now) - s))

s=$(cc_now)
echo "==> integration tests (real MariaDB, Redis, Kafka, Prometheus, kube-apiserver)"
npx vitest run --project integration
timing "integration tests" $(($(cc_now) - s))
