# shellcheck shell=bash disable=SC2034
# kind helpers for hack/kind-*.sh and hack/proof/kind-smoke.sh. Sourced after common.sh and engine.sh.
CC_KIND_BIN="$CC_CACHE/kind-$KIND_VERSION/kind"
# The cluster name and its kubeconfig can be overridden (a second, throw-away cluster beside the usual one).
CC_KIND_NAME="${CC_KIND_NAME:-$KIND_CLUSTER_NAME}"
CC_KIND_CONFIG="$CC_REPO/hack/kind/config.yaml"
CC_KIND_KUBECONFIG="${CC_KIND_KUBECONFIG:-$CC_RUN/kind-kubeconfig}"
CC_KUBECTL="$CC_CACHE/k8s-$KUBERNETES_VERSION/k8s"

# kind with this project's engine and cluster name.
cc_kind() { "$CC_KIND_BIN" "$@"; }
# kubectl (the multi-call k8s binary) against the kind cluster.
cc_kubectl() { "$CC_KUBECTL" kubectl --kubeconfig "$CC_KIND_KUBECONFIG" "$@"; }

# cc_kind_install: the kind CLI from the Go module proxy, cached by version.
cc_kind_install() {
  local log="$1" dir="${CC_KIND_BIN%/*}"
  if [[ -x "$CC_KIND_BIN" ]]; then
    cc_skip "kind $KIND_VERSION" "$CC_KIND_BIN"
  else
    mkdir -p "$dir"
    cc_step "kind $KIND_VERSION (go install)" "$log" "GOBIN=$dir go install sigs.k8s.io/kind@$KIND_VERSION" \
      env GOBIN="$dir" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@$KIND_VERSION"
  fi
  ln -sfn "$CC_KIND_BIN" "$CC_BIN/kind"
}

# cc_kind_nodes: the cluster's node containers (running or not).
cc_kind_nodes() {
  docker ps -a --filter "label=io.x-k8s.kind.cluster=$CC_KIND_NAME" --format '{{.Names}}' | sort
}

# cc_kind_dns_query NODE: a real DNS question to the cluster DNS service from inside NODE
# (kubernetes.default.svc.cluster.local, type A); true when the answer has no error and one record
# (header: id 1234, flags response+recursion-desired, rcode 0, one question, one answer).
cc_kind_dns_query() {
  local ip
  ip=$(cc_kubectl -n kube-system get svc kube-dns -o jsonpath='{.spec.clusterIP}') || return 1
  docker exec "$1" bash -c '
    exec 3<>/dev/udp/'"$ip"'/53
    printf "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x0akubernetes\x07default\x03svc\x07cluster\x05local\x00\x00\x01\x00\x01" |
      dd bs=512 count=1 iflag=fullblock status=none >&3
    timeout 3 dd bs=512 count=1 status=none <&3 | head -c 12 | od -An -tx1' | tr -d ' \n' | grep -Eq '^1234(81|85)(00|80)00010001'
}
# (one dd write: one datagram; printf alone writes the query in pieces.)

# Host ports published by the cluster (hack/kind/config.yaml extraPortMappings, on 127.0.0.1). The
# process-based stack serves the platform on 18080 too (CC_CHAT_PORT): to run both at once, give one
# of them another port; hack/kind-up.sh writes these into the config it passes to kind.
CC_KIND_HOST_PORT_GATEWAY=${CC_KIND_HOST_PORT_GATEWAY:-18080}       # -> NodePort 30080, the platform gateway
CC_KIND_HOST_PORT_PROMETHEUS=${CC_KIND_HOST_PORT_PROMETHEUS:-19091} # -> NodePort 30090, the in-cluster Prometheus

# cc_kind_published NODEPORT: host:port where the kind config published that NodePort (empty when not).
cc_kind_published() { docker port "$CC_KIND_NAME-control-plane" "$1/tcp" 2>/dev/null | head -1; }
