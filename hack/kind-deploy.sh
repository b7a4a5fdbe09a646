#!/usr/bin/env bash
# Deploys ChatCluster onto the kind cluster the way a user would on any cluster: the images (built here,
# loaded into the nodes), the operator from its Helm chart, an in-cluster Prometheus, then
# `kubectl apply -f samples/chatcluster.yaml`, waited on until Ready, and the edge that puts the
# platform on http://127.0.0.1:18080. Idempotent: a second run changes nothing that is already right.
#   hack/kind-deploy.sh [--no-sample]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
cc_engine_require
log="$CC_LOGS/kind-deploy.log"
: >"$log"
export KUBECONFIG="$CC_KIND_KUBECONFIG"
sample=1
[[ "${1:-}" == "--no-sample" ]] && sample=0

"$CC_REPO/hack/install-controlplane.sh" helm >/dev/null
helm="$CC_BIN/helm"
images=(
  "$CC_IMAGE_REPO/operator:$PLATFORM_VERSION" "$CC_IMAGE_REPO/platform:$PLATFORM_VERSION"
  "$CC_IMAGE_REPO/mariadb:$MARIADB_IMAGE_TAG" "$CC_IMAGE_REPO/kafka:$KAFKA_VERSION"
  "$CC_IMAGE_REPO/redis:$REDIS_IMAGE_TAG" "$CC_IMAGE_REPO/prometheus:$PROMETHEUS_IMAGE_TAG"
  "$CC_IMAGE_REPO/nginx:$NGINX_IMAGE_TAG"
)
"$CC_REPO/hack/build-images.sh"
"$CC_REPO/hack/kind-load.sh" "${images[@]}"

cc_step "operator (helm upgrade --install)" "$log" \
  "$helm upgrade --install chatcluster-operator charts/chatcluster-operator -n chatcluster-system" \
  "$helm" upgrade --install chatcluster-operator "$CC_REPO/charts/chatcluster-operator" \
  --namespace chatcluster-system --create-namespace --wait --timeout 5m \
  --set image.repository="$CC_IMAGE_REPO/operator" --set image.tag="$PLATFORM_VERSION"
# A rebuilt image under the same tag: restart so the pods run it (no-op when the id is unchanged).
roll_if_changed() { # NAMESPACE DEPLOYMENT IMAGE
  local want have
  want=$(docker image inspect -f '{{.Id}}' "$3")
  have=$(cc_kubectl -n "$1" get deploy "$2" -o jsonpath='{.spec.template.metadata.annotations.chatcluster\.io/image-id}' 2>/dev/null || true)
  [[ "$have" == "$want" ]] && return 0
  cc_kubectl -n "$1" patch deploy "$2" --type merge \
    -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"chatcluster.io/image-id\":\"$want\"}}}}}" >>"$log" 2>&1
  cc_kubectl -n "$1" rollout status deploy "$2" --timeout 180s >>"$log" 2>&1
}
cc_step "operator runs the current image" "$log" "kubectl -n chatcluster-system get pods" \
  roll_if_changed chatcluster-system chatcluster-operator "$CC_IMAGE_REPO/operator:$PLATFORM_VERSION"

cc_step "in-cluster Prometheus" "$log" "kubectl -n monitoring get pods; kubectl -n monitoring logs deploy/prometheus" \
  bash -c "'$CC_KUBECTL' kubectl apply -f '$CC_REPO/hack/kind/deploy/monitoring.yaml' &&
    '$CC_KUBECTL' kubectl -n monitoring rollout status deploy/prometheus --timeout 180s"

((sample)) || exit 0
cc_step "kubectl apply -f samples/chatcluster.yaml" "$log" "kubectl get chatcluster chat -o yaml" \
  cc_kubectl apply -f "$CC_REPO/samples/chatcluster.yaml"
cc_step "wait ChatCluster chat Ready" "$log" \
  "kubectl get chatcluster chat -o yaml; kubectl get pods; kubectl describe pod <the one not Ready>" \
  cc_kubectl wait --for=condition=Ready --timeout=600s chatcluster/chat
# The platform pods may run an older build of the same tag: roll them like the operator.
for role in gateway realtime worker; do
  cc_step "chat-$role runs the current image" "$log" "kubectl get pods" \
    roll_if_changed default "chat-$role" "$CC_IMAGE_REPO/platform:$PLATFORM_VERSION"
done
cc_step "edge (NodePort 30080)" "$log" "kubectl get pods -l app.kubernetes.io/name=chat-edge; kubectl logs deploy/chat-edge" \
  bash -c "'$CC_KUBECTL' kubectl apply -f '$CC_REPO/hack/kind/deploy/edge.yaml' &&
    '$CC_KUBECTL' kubectl rollout status deploy/chat-edge --timeout 120s"
# Where the kind config published NodePort 30080 (18080 unless CC_KIND_HOST_PORT_GATEWAY said otherwise).
gateway=$(cc_kind_published 30080)
cc_wait "platform on http://$gateway" 120 "$log" curl -fsS "http://$gateway/readyz"
