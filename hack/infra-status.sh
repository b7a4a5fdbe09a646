#!/usr/bin/env bash
# Shows each data-plane component up or down, its pid, port(s) and resident memory (VmRSS of the process
# and its children, in MiB), and the total. Exit status: 0 when everything configured is up, 1 otherwise.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/dataplane.sh
source "$CC_REPO/hack/lib/dataplane.sh"

total_kib=0
down=0
printf '%-14s %-8s %-12s %-8s %10s\n' COMPONENT STATE PORT PID "RSS(MiB)"
while read -r name ports role; do
  state=down pid=- rss=-
  if cc_running "$name"; then
    pid=$(cat "$CC_PIDS/$name.pid")
    state=up
    for port in ${ports//,/ }; do
      cc_port_free "$port" && state="no-port" # alive but not listening (starting, or wedged)
    done
    kib=$(cc_tree_rss_kib "$pid")
    total_kib=$((total_kib + kib))
    rss=$(cc_mib "$kib")
  fi
  [[ "$state" == up ]] || down=1
  label="$name"
  [[ "$role" == spare ]] && label="$name*"
  printf '%-14s %-8s %-12s %-8s %10s\n' "$label" "$state" "$ports" "$pid" "$rss"
done < <(cc_dp_components)
printf '%-14s %-8s %-12s %-8s %10s\n' TOTAL "" "" "" "$(cc_mib "$total_kib")"
((CC_SPARE_SHARDS > 0)) && echo "(* spare shard, not in CC_MYSQL_SHARD_URLS)"
if [[ -f "$CC_INFRA_ENV" ]]; then echo "env: $CC_INFRA_ENV"; else echo "env: $CC_INFRA_ENV missing (run hack/infra-up.sh)"; fi
exit "$down"
