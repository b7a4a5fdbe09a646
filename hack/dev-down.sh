#!/usr/bin/env bash
# `make dev-down`: stop everything `make dev-up` started, then prove nothing is left.
source "$(dirname "$0")/lib/common.sh"
rc=0
"$CC_REPO/operator/scripts/operator-down.sh" || rc=1
"$CC_REPO/services/scripts/platform-down.sh" || rc=1
"$CC_REPO/hack/cluster-down.sh" "$@" || rc=1
"$CC_REPO/hack/infra-down.sh" "$@" || rc=1
"$CC_REPO/hack/check-clean.sh" || rc=1
exit $rc
