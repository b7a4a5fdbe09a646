#!/usr/bin/env bash
# Installs the ChatCluster CRD on the local control plane, starts the operator in the background against
# .run/kubeconfig, applies samples/chatcluster.yaml, waits until the ChatCluster is Ready and prints
# `kubectl get chatclusters`. For `make up`; stop with operator-down.sh. Log: .run/logs/chatcluster-operator.log
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
PORT="${CC_OPERATOR_METRICS_PORT:-18081}"
NS="${CC_SAMPLE_NAMESPACE:-default}"
LOG="$CC_LOGS/chatcluster-operator.log"
KC="$CC_RUN/kubeconfig"
KUBECTL=("$CC_BIN/kubectl" --kubeconfig "$KC")
cd "$CC_REPO"
[[ -f "$KC" ]] || cc_fail "$LOG" "control plane not running: make cluster-up"
cc_step "ChatCluster CRD" "$LOG" "see the log; is the apiserver up? (make cluster-status)" \
  "${KUBECTL[@]}" apply --server-side --force-conflicts -f "$CC_REPO/crds/chatcluster.yaml"
cc_step "CRD established" "$LOG" "see the log" \
  "${KUBECTL[@]}" wait --for condition=established --timeout=60s crd/chatclusters.chat.chatcluster.io
if ! cc_running chatcluster-operator; then
  cc_port_free "$PORT" || cc_fail "$LOG" "port $PORT is taken; set CC_OPERATOR_METRICS_PORT"
  # Watches only the sample namespace: the integration tests run their own operators in op-* namespaces.
  KUBECONFIG="$KC" METRICS_PORT="$PORT" WATCH_NAMESPACE="$NS" LEADER_ELECTION_NAMESPACE="$NS" \
    cc_start chatcluster-operator "$LOG" node --import tsx "$CC_REPO/operator/src/main.ts"
fi
cc_wait "operator synced" 60 "$LOG" curl -fsS "http://127.0.0.1:$PORT/readyz"
cc_step "apply samples/chatcluster.yaml" "$LOG" "see the log" \
  "${KUBECTL[@]}" apply -n "$NS" -f "$CC_REPO/samples/chatcluster.yaml"
cc_step "wait ChatCluster Ready" "$LOG" "kubectl describe chatcluster chat; see the operator log" \
  "${KUBECTL[@]}" wait -n "$NS" --for=condition=Ready --timeout=180s chatcluster/chat
"${KUBECTL[@]}" get chatclusters -n "$NS"
echo "  operator:      metrics http://127.0.0.1:$PORT/metrics   (log: $LOG)"
