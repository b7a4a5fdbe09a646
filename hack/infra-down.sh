#!/usr/bin/env bash
# Stops the local data plane started by hack/infra-up.sh: only the processes it recorded (pid files),
# each until its ports are free. Data dirs stay, so the next infra-up is a warm start.
#   hack/infra-down.sh            stop
#   hack/infra-down.sh --purge    stop, then delete the data dirs, configs and Prometheus targets
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/dataplane.sh
source "$CC_REPO/hack/lib/dataplane.sh"

purge=0
for arg in "$@"; do
  case "$arg" in
  --purge) purge=1 ;;
  -h | --help)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "unknown argument: $arg (use --purge or --help)" >&2
    exit 2
    ;;
  esac
done

# stop_one NAME: TERM (then KILL after 20s) the recorded process group, then wait for its ports.
stop_one() {
  local name="$1" t0 ports="" port i
  t0=$(cc_now)
  [[ -f "$CC_DP_STATE/$name.ports" ]] && ports=$(cat "$CC_DP_STATE/$name.ports")
  if ! cc_running "$name"; then
    rm -f "$CC_PIDS/$name.pid" "$CC_DP_STATE/$name.ports"
    printf '==> %-34s not running\n' "stop $name"
    return 0
  fi
  cc_stop "$name"
  for port in ${ports//,/ }; do
    for ((i = 0; i < 100; i++)); do
      cc_port_free "$port" && break
      sleep 0.2
    done
    if ! cc_port_free "$port"; then
      printf '==> %-34s failed: port %s still taken: %s\n' "stop $name" "$port" "$(cc_port_owner "$port")"
      return 1
    fi
  done
  rm -f "$CC_DP_STATE/$name.ports"
  printf '==> %-34s stopped (%ss)\n' "stop $name" "$(($(cc_now) - t0))"
}

t_begin=$(cc_now)
# The tests and services read infra.env to find the servers: without servers, no infra.env.
rm -f "$CC_INFRA_ENV"
mapfile -t names < <(cc_dp_started)
# Stop in parallel (Kafka's controlled shutdown dominates); each prints its own line.
pids=()
for name in "${names[@]}"; do
  stop_one "$name" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
if ((failed)); then
  echo "fix: some port is still held; see 'ss -ltnp' and the logs in $CC_LOGS" >&2
  exit 1
fi

if ((purge)); then
  rm -rf "${CC_DATA:?}"/mysql-* "$CC_DATA/redis" "$CC_DATA/kafka" "$CC_DATA/prometheus" \
    "$CC_KAFKA_CONF" "$CC_PROM_DIR" "$CC_DP_STATE"
  rmdir "$CC_DATA" 2>/dev/null || true
  printf '==> %-34s done\n' "purge data plane data dirs"
fi
echo "Data plane down in $(($(cc_now) - t_begin))s."
