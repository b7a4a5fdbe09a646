#!/usr/bin/env bash
# Stops the platform started by platform-up.sh (SIGTERM → graceful drain, KILL after 20s).
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
cc_stop chat-platform
rm -f "$CC_RUN/platform.env"
