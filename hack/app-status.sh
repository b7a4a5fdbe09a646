#!/usr/bin/env bash
# Shows the operator and the chat platform that `make up` started: state, endpoint
# and resident memory (the process and its children, e.g. tsx's node).
source "$(dirname "$0")/lib/common.sh"
total=0
printf '%-22s %-8s %-32s %-8s %10s\n' COMPONENT STATE ENDPOINT PID "RSS(MiB)"
for entry in "chatcluster-operator http://127.0.0.1:$CC_OPERATOR_METRICS_PORT/metrics" \
  "chat-platform http://127.0.0.1:$CC_CHAT_PORT"; do
  read -r name url <<<"$entry"
  state=down pid=- rss=-
  if cc_running "$name"; then
    state=up
    pid=$(cat "$CC_PIDS/$name.pid")
    kib=$(cc_tree_rss_kib "$pid")
    total=$((total + kib))
    rss=$(cc_mib "$kib")
  fi
  printf '%-22s %-8s %-32s %-8s %10s\n' "$name" "$state" "$url" "$pid" "$rss"
done
printf '%-22s %-8s %-32s %-8s %10s\n' TOTAL "" "" "" "$(cc_mib "$total")"
