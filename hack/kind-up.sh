#!/usr/bin/env bash
# Creates the local kind cluster "chatcluster" from hack/kind/config.yaml with the node image built
# offline by hack/build-kind-images.sh, and waits until every node is Ready and CoreDNS answers.
# Kubeconfig: .run/kind-kubeconfig. Idempotent: a healthy cluster made from the current node image is
# kept (seconds); stopped nodes (engine restarted) are started again; one from another node image or with
# other published ports, or one that stays broken, is made anew.
# Needs the engine (make engine-up).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
cc_engine_require
log="$CC_LOGS/kind-up.log"
: >"$log"
export KUBECONFIG="$CC_KIND_KUBECONFIG"

etcd_tag="${ETCD_VERSION#v}-0"
grep -q "imageTag: \"$etcd_tag\"" "$CC_KIND_CONFIG" || {
  echo "hack/kind/config.yaml: etcd imageTag must be \"$etcd_tag\" (ETCD_VERSION=$ETCD_VERSION in hack/versions.env)" >&2
  exit 1
}

cc_kind_install "$log"
"$CC_REPO/hack/build-kind-images.sh"
node_image_id=$(docker image inspect -f '{{.Id}}' "$KIND_NODE_IMAGE")

nodes_ready() {
  local want have
  want=$(cc_kind_nodes | wc -l)
  have=$(cc_kubectl get nodes --no-headers --request-timeout=5s 2>/dev/null | awk '$2 == "Ready"' | wc -l)
  ((want > 0 && have == want))
}
dns_ready() {
  cc_kubectl -n kube-system rollout status deploy/coredns --timeout=2s &&
    cc_kind_dns_query "$CC_KIND_NAME-control-plane"
}
storage_ready() {
  cc_kubectl -n local-path-storage rollout status deploy/local-path-provisioner --timeout=2s
}
net_ready() {
  cc_kubectl -n kube-system rollout status ds/ccnet --timeout=2s
}
healthy() { nodes_ready && net_ready && dns_ready && storage_ready; }

create() {
  sed -e "s/hostPort: 18080/hostPort: $CC_KIND_HOST_PORT_GATEWAY/" -e "s/hostPort: 19091/hostPort: $CC_KIND_HOST_PORT_PROMETHEUS/" \
    "$CC_KIND_CONFIG" >"$CC_RUN/kind-config-$CC_KIND_NAME.yaml"
  cc_kind create cluster --name "$CC_KIND_NAME" --image "$KIND_NODE_IMAGE" --config "$CC_RUN/kind-config-$CC_KIND_NAME.yaml" \
    --kubeconfig "$CC_KIND_KUBECONFIG" --wait 0s --retain=false
}
delete() { cc_kind delete cluster --name "$CC_KIND_NAME" --kubeconfig "$CC_KIND_KUBECONFIG"; }
start_nodes() { cc_kind_nodes | xargs -r docker start; }

# published HOSTPORT CONTAINERPORT: the control-plane node publishes CONTAINERPORT on 127.0.0.1:HOSTPORT.
published() {
  [[ "$(docker port "$CC_KIND_NAME-control-plane" "$2/tcp" 2>/dev/null)" == "127.0.0.1:$1" ]]
}
# ports_free: the host ports to publish are free (or already this cluster's, for the same node port).
ports_free() {
  local p
  for p in "$CC_KIND_HOST_PORT_GATEWAY:30080" "$CC_KIND_HOST_PORT_PROMETHEUS:30090"; do
    published "${p%:*}" "${p#*:}" && continue
    p=${p%:*}
    cc_port_free "$p" || cc_fail "$log" "127.0.0.1:$p is taken (the cluster is to publish it there): stop what listens there (ss -ltnp), or choose another with CC_KIND_HOST_PORT_GATEWAY / CC_KIND_HOST_PORT_PROMETHEUS"
  done
}

existing=$(cc_kind_nodes)
if [[ -n "$existing" ]]; then
  stale=""
  for n in $existing; do
    [[ "$(docker inspect -f '{{.Image}}' "$n")" == "$node_image_id" ]] || stale="$n"
  done
  if [[ -n "$stale" ]]; then
    cc_step "delete cluster (node image changed)" "$log" "hack/kind-down.sh, then retry" delete
  elif ! published "$CC_KIND_HOST_PORT_GATEWAY" 30080 || ! published "$CC_KIND_HOST_PORT_PROMETHEUS" 30090; then
    ports_free # before deleting: a cluster that cannot be made anew is kept
    cc_step "delete cluster (published ports changed)" "$log" "hack/kind-down.sh, then retry" delete
  elif [[ -n "$(docker ps -a --filter "label=io.x-k8s.kind.cluster=$CC_KIND_NAME" --filter status=exited --format '{{.Names}}')" ]]; then
    cc_step "start stopped nodes" "$log" "hack/kind-down.sh, then retry" start_nodes
  fi
fi

if [[ -n "$(cc_kind_nodes)" ]]; then
  cc_kind export kubeconfig --name "$CC_KIND_NAME" --kubeconfig "$CC_KIND_KUBECONFIG" >>"$log" 2>&1 || true
  # A running cluster answers at once; a restarted one gets 90 s before it is made anew.
  t0=$(cc_now)
  printf '==> %-34s ' "existing cluster $CC_KIND_NAME"
  until healthy >/dev/null 2>&1 || (($(cc_now) - t0 > 90)); do sleep 1; done
  if healthy >/dev/null 2>&1; then
    printf 'healthy (%ss, %s nodes)\n' "$(($(cc_now) - t0))" "$(cc_kind_nodes | wc -l)"
    exit 0
  fi
  printf 'not healthy (%ss): making it anew\n' "$(($(cc_now) - t0))"
  cc_step "delete cluster (unhealthy)" "$log" "hack/kind-down.sh, then retry" delete
fi

if [[ -z "$(cc_kind_nodes)" ]]; then
  ports_free
  cc_step "kind create cluster $CC_KIND_NAME" "$log" \
    "hack/kind-down.sh; then retry. Node logs: $CC_KIND_BIN export logs --name $CC_KIND_NAME" create
fi
chmod 600 "$CC_KIND_KUBECONFIG"
cc_wait "nodes Ready" 240 "$log" nodes_ready
cc_wait "pod network (ccnet)" 120 "$log" net_ready
cc_wait "CoreDNS answers" 120 "$log" dns_ready
cc_wait "local-path storage" 120 "$log" storage_ready
echo "    kubeconfig: $CC_KIND_KUBECONFIG  (export KUBECONFIG=$CC_KIND_KUBECONFIG)"
