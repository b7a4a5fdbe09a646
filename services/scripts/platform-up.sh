#!/usr/bin/env bash
# Starts the chat platform (monolith mode) in the background against the local data
# plane, waits for /readyz and prints its URL. For `make up`; stop with platform-down.sh.
# Writes .run/platform.env (CHAT_URL) for tools and load tests; secrets are in .run/secrets.env.
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
PORT="${CC_CHAT_PORT:-18080}"
LOG="$CC_LOGS/chat-platform.log"
[[ -f "$CC_RUN/infra.env" ]] || cc_fail "$LOG" "start the data plane first: make infra-up"
if ! cc_running chat-platform; then
  cc_port_free "$PORT" || cc_fail "$LOG" "port $PORT is taken; set CC_CHAT_PORT"
  CHAT_PORT="$PORT" CHAT_HOST=127.0.0.1 cc_start chat-platform "$LOG" "$CC_REPO/services/scripts/run-local.sh"
fi
cc_wait "chat platform" 90 "$LOG" curl -fsS "http://127.0.0.1:$PORT/readyz"
# The admin token stays in .run/secrets.env (mode 600, written by run-local.sh).
echo "CHAT_URL=http://127.0.0.1:$PORT" >"$CC_RUN/platform.env"
echo "  chat platform: http://127.0.0.1:$PORT   (try: samples/walkthrough.md; log: $LOG)"
