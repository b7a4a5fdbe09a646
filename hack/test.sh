#!/usr/bin/env bash
# `make test` (and CI): set up (cached), start every server the suites need,
# run lint, type-check, unit and integration suites on processes, then the kind
# suite on real pods (container engine, kind cluster, operator chart, the sample),
# and always tear down what this script started. Exits non-zero on any failure.
source "$(dirname "$0")/lib/common.sh"
cd "$CC_REPO"
t0=$(cc_now)
timing() { printf '%-28s %4ss\n' "$1" "$2" >>"$CC_LOGS/test-timings.txt"; }
: >"$CC_LOGS/test-timings.txt"

# Is the process stack (make dev-up) already running? The container engine is not part of it.
anything_running() {
  local f
  for f in "$CC_PIDS"/*.pid; do
    [[ "$f" == */engine.pid ]] && continue
    [[ -e "$f" ]] && cc_alive "$(cat "$f")" && return 0
  done
  return 1
}
started=0
kind_started=0
teardown() {
  local rc=$?
  if ((rc != 0 && kind_started)); then
    # What a failed kind run looked like, for the CI log.
    source "$CC_REPO/hack/lib/engine.sh" && source "$CC_REPO/hack/lib/kind.sh" &&
      cc_kubectl get chatclusters,pods -A -o wide 2>&1 | tail -40 || true
  fi
  if ((started)); then
    echo "==> tearing down what the tests started"
    "$CC_REPO/services/scripts/platform-down.sh" || rc=1
    "$CC_REPO/hack/cluster-down.sh" || rc=1
    "$CC_REPO/hack/infra-down.sh" || rc=1
  fi
  if ((kind_started)); then
    "$CC_REPO/hack/kind-down.sh" || rc=1
    "$CC_REPO/hack/engine-down.sh" || rc=1
  fi
  if ((started || kind_started)); then
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

# The engine and the images first: the longest cold builds, and the kind phase needs them.
s=$(cc_now)
source "$CC_REPO/hack/lib/engine.sh"
cc_engine_ready || kind_started=1
"$CC_REPO/hack/engine-up.sh"
"$CC_REPO/hack/build-base-images.sh"
"$CC_REPO/hack/build-kind-images.sh"
"$CC_REPO/hack/build-images.sh"
timing "engine + images" $(($(cc_now) - s))

s=$(cc_now)
echo "==> lint + type-check"
# The same commands as `make lint`: package.json's scripts are their one definition.
npm run --silent lint
npm run --silent typecheck
timing "lint+typecheck" $(($(cc_now) - s))

s=$(cc_now)
echo "==> unit tests"
npx vitest run --project unit
npm run --silent test -w web
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

s=$(cc_now)
echo "==> browser tests (Debian Chromium against the platform on processes)"
"$CC_REPO/hack/install-browser.sh"
"$CC_REPO/services/scripts/platform-up.sh"
npm run --silent test:browser -w web
"$CC_REPO/services/scripts/platform-down.sh"
timing "browser tests" $(($(cc_now) - s))

if ((started)); then
  # The kind phase does not need the process stack: give its cores back.
  "$CC_REPO/hack/cluster-down.sh"
  "$CC_REPO/hack/infra-down.sh"
  started=0
fi

s=$(cc_now)
echo "==> kind: cluster, operator chart, Prometheus, the sample in real pods"
source "$CC_REPO/hack/lib/kind.sh"
[[ -n "$(cc_kind_nodes)" ]] || kind_started=1
"$CC_REPO/hack/kind-up.sh"
"$CC_REPO/hack/kind-deploy.sh"
timing "kind up + deploy" $(($(cc_now) - s))

s=$(cc_now)
echo "==> kind suite (real pods: chat, faults, security, upgrade, scale)"
npx vitest run --project kind
timing "kind suite" $(($(cc_now) - s))
