#!/usr/bin/env bash
# Deletes the local kind cluster "chatcluster": its node containers (with their volumes), the kubeconfig
# and, when nothing else uses it, kind's docker network. Leaves no container, process or port behind.
# The engine keeps running (hack/engine-down.sh stops it); images stay cached.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
log="$CC_LOGS/kind-down.log"
: >"$log"
if ! cc_engine_ready; then
  cc_skip "kind cluster $CC_KIND_NAME" "engine not running, nothing to delete"
  rm -f "$CC_KIND_KUBECONFIG"
  exit 0
fi

delete() {
  if [[ -x "$CC_KIND_BIN" ]]; then
    "$CC_KIND_BIN" delete cluster --name "$CC_KIND_NAME" --kubeconfig "$CC_KIND_KUBECONFIG"
  fi
  # Whatever kind did not remove (no kind binary, an interrupted create).
  cc_kind_nodes | xargs -r docker rm -f -v
  if docker network inspect kind >/dev/null 2>&1 &&
    [[ "$(docker network inspect -f '{{len .Containers}}' kind)" == 0 ]]; then
    docker network rm kind
  fi
}
# Gone: no node container and no docker-proxy publishing one of the cluster's ports (the API server's
# random port included); a port held by something else (the process-based platform on 18080) is not ours.
gone() {
  [[ -z "$(cc_kind_nodes)" ]] && ! pgrep -f "docker-proxy .*-container-ip ($node_ips)( |$)" >/dev/null
}
node_ips=$(cc_kind_nodes | xargs -r docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' | sed 's/\./\\./g' | paste -sd'|')
node_ips=${node_ips:-none}

if [[ -z "$(cc_kind_nodes)" ]]; then
  cc_skip "kind cluster $CC_KIND_NAME" "none"
else
  cc_step "kind delete cluster $CC_KIND_NAME" "$log" "docker ps -a --filter label=io.x-k8s.kind.cluster=$CC_KIND_NAME; docker rm -f them" delete
fi
rm -f "$CC_KIND_KUBECONFIG"
cc_wait "no node, port or proxy left" 30 "$log" gone
