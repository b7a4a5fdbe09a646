#!/usr/bin/env bash
# `make down`: remove the kind cluster, stop the container engine and anything of the process-based stack
# (make dev-up), then prove that no process and no port of ours is left. Images stay cached (PURGE=1: data too).
source "$(dirname "$0")/lib/common.sh"
rc=0
"$CC_REPO/hack/kind-down.sh" || rc=1
"$CC_REPO/hack/engine-down.sh" "$@" || rc=1
"$CC_REPO/hack/dev-down.sh" "$@" || rc=1
exit $rc
