#!/usr/bin/env bash
# Stops the local control plane started by hack/cluster-up.sh: only the processes recorded in
# $CC_RUN/pids (never anything by name), in reverse start order, then waits until their ports
# are free. Keeps etcd data and certificates, so the next cluster-up is warm.
#   --purge   also delete the etcd data (every Kubernetes object) and the kubeconfigs.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

purge=false
for arg in "$@"; do
  case "$arg" in
  --purge) purge=true ;;
  *)
    echo "usage: $0 [--purge]" >&2
    exit 2
    ;;
  esac
done

# alive PID: running and not a zombie. Processes started by cluster-up outlive it and are
# re-parented to pid 1, which reaps exited children only after a second or two; a zombie has
# already closed its sockets, so it counts as stopped.
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ -n "$stat" && "$stat" != Z* ]]
}

# stop NAME...: TERM the process groups of NAMEs together, wait up to 20s, then KILL.
stop() {
  local name pid t i
  local -A pids=()
  t=$(cc_now)
  for name in "$@"; do
    if [[ -f "$CC_PIDS/$name.pid" ]] && pid=$(cat "$CC_PIDS/$name.pid") && alive "$pid"; then
      pids[$name]=$pid
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    else
      rm -f "$CC_PIDS/$name.pid"
      printf '==> %-34s not running\n' "stop $name"
    fi
  done
  for name in "$@"; do
    [[ -n "${pids[$name]:-}" ]] || continue
    pid=${pids[$name]}
    for ((i = 0; i < 200; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      printf '==> %-34s killed after 20s (pid %s)\n' "stop $name" "$pid"
    else
      printf '==> %-34s ok (%ss)\n' "stop $name" "$(($(cc_now) - t))"
    fi
    rm -f "$CC_PIDS/$name.pid"
  done
}

T0=$(cc_now)
stop kwok kube-scheduler kube-controller-manager # clients of the apiserver: together
stop kube-apiserver
stop etcd

ports=("$CC_KWOK_PORT" "$CC_SCHEDULER_PORT" "$CC_KCM_PORT" "$CC_APISERVER_PORT" "$CC_ETCD_PORT" "$CC_ETCD_PEER_PORT")
ports_free() {
  local p
  for p in "${ports[@]}"; do cc_port_free "$p" || return 1; done
}
t=$(cc_now)
printf '==> %-34s ' "ports free"
until ports_free; do
  if (($(cc_now) - t > 30)); then
    echo "still taken after 30s:"
    for p in "${ports[@]}"; do ss -ltnp "sport = :$p" | tail -n +2; done
    exit 1
  fi
  sleep 0.2
done
echo "ok (${ports[*]})"

if $purge; then
  rm -rf "$CC_RUN/data/etcd" "$CC_RUN/kubeconfig" "$CC_RUN/kube" "$CC_RUN/cluster.env"
  echo "==> purged etcd data and kubeconfigs (certificates in $CC_RUN/pki are kept)"
fi
echo "Local control plane stopped in $(($(cc_now) - T0))s."
