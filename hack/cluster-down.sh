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

T0=$(cc_now)
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  if [[ -f "$CC_PIDS/$name.pid" ]]; then
    cc_step "stop $name" "$CC_LOGS/cluster-down.log" "kill -- -\$(cat $CC_PIDS/$name.pid)" cc_stop "$name"
  else
    cc_skip "stop $name" "not running"
  fi
done

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
