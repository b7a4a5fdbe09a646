#!/usr/bin/env bash
# Fails when anything of the local stack is left: a live pid file, a process
# whose command line points into the run folder, or a bound port of ours.
source "$(dirname "$0")/lib/common.sh"
bad=0
for f in "$CC_PIDS"/*.pid; do
  [[ -e "$f" ]] || continue
  if cc_alive "$(cat "$f")"; then
    echo "left running: $(basename "$f" .pid) (pid $(cat "$f"))"
    bad=1
  fi
done
if pids=$(pgrep -f -- "$CC_RUN/" 2>/dev/null); then
  for p in $pids; do
    [[ "$p" == "$$" ]] && continue
    echo "left running: pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-120)"
    bad=1
  done
fi
ports=("${CC_KIND_HOST_PORT_PROMETHEUS:-19091}" "$CC_MYSQL_CATALOG_PORT" "$CC_REDIS_PORT" "$CC_KAFKA_PORT" "$CC_KAFKA_CONTROLLER_PORT" "$CC_PROMETHEUS_PORT"
  "$CC_ETCD_PORT" "$CC_ETCD_PEER_PORT" "$CC_APISERVER_PORT" "$CC_KCM_PORT" "$CC_SCHEDULER_PORT" "$CC_KWOK_PORT" "$CC_CHAT_PORT" "$CC_OPERATOR_METRICS_PORT")
for ((i = 0; i < CC_SHARDS + CC_SPARE_SHARDS; i++)); do ports+=($((CC_MYSQL_SHARD_BASE_PORT + i))); done
for p in "${ports[@]}"; do
  if ! cc_port_free "$p"; then
    echo "port still bound: 127.0.0.1:$p"
    bad=1
  fi
done
if ((bad)); then
  echo "check-clean: the local stack left something behind (see above)"
  exit 1
fi
echo "check-clean: no process and no port of the local stack is left"
