#!/usr/bin/env bash
# Shows each control-plane component up or down, its pid, endpoint and resident memory (VmRSS,
# MiB), the total, and the kwok nodes. Exit status: 0 when everything is up, 1 otherwise.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

total_kib=0
down=0
printf '%-24s %-8s %-26s %-8s %10s\n' COMPONENT STATE ENDPOINT PID "RSS(MiB)"
while read -r name scheme port; do
  state=down pid=- rss=-
  if cc_running "$name"; then
    pid=$(cat "$CC_PIDS/$name.pid")
    state=up
    cc_port_free "$port" && state=no-port # alive but not listening (starting, or wedged)
    kib=$(cc_tree_rss_kib "$pid")
    total_kib=$((total_kib + kib))
    rss=$(cc_mib "$kib")
  fi
  [[ "$state" == up ]] || down=1
  printf '%-24s %-8s %-26s %-8s %10s\n' "$name" "$state" "$scheme://127.0.0.1:$port" "$pid" "$rss"
done <<EOF
etcd http $CC_ETCD_PORT
kube-apiserver https $CC_APISERVER_PORT
kube-controller-manager https $CC_KCM_PORT
kube-scheduler https $CC_SCHEDULER_PORT
kwok http $CC_KWOK_PORT
EOF
printf '%-24s %-8s %-26s %-8s %10s\n' TOTAL "" "" "" "$(cc_mib "$total_kib")"
if [[ -f "$CC_RUN/kubeconfig" ]] && cc_running kube-apiserver; then
  echo "kubeconfig: $CC_RUN/kubeconfig"
  "$CC_BIN/kubectl" --kubeconfig="$CC_RUN/kubeconfig" get nodes -l type=kwok --request-timeout=5s 2>&1 || down=1
else
  echo "kubeconfig: $CC_RUN/kubeconfig (control plane not running: make cluster-up)"
fi
exit "$down"
