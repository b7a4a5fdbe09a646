#!/usr/bin/env bash
# Proves the local kind cluster works with real containers (exit non-zero on the first failure):
#   containerd runtime on every node; a pod from an image built FROM chatcluster/debian:bookworm
#   (loaded with hack/kind-load.sh); pod-to-pod traffic across nodes; cluster DNS (Service name);
#   a local-path PVC written and read back; a NodePort reached from the host on 127.0.0.1:18080;
#   NetworkPolicy enforced (a pod without the allowed label is refused, one with it gets through).
# Uses namespace cc-smoke (recreated, deleted at the end). Needs hack/kind-up.sh first.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
cc_engine_require
log="$CC_LOGS/kind-smoke.log"
: >"$log"
[[ -s "$CC_KIND_KUBECONFIG" ]] || { echo "no kind cluster: run hack/kind-up.sh first" >&2; exit 1; }
NS=cc-smoke
IMAGE=chatcluster/smoke:bookworm
k() { cc_kubectl "$@"; }
t_start=$(cc_now)
# Whatever happens, NodePort 30080 is given back (the platform's gateway wants it); on a failure the rest of
# the namespace stays for a look (the next run deletes it first).
trap 'k -n "$NS" delete svc web-nodeport --ignore-not-found --wait=false >/dev/null 2>&1 || true' EXIT

# ------------------------------------------------------------------ the test image
build_image() {
  local d
  d=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf $d" RETURN
  cat >"$d/Dockerfile" <<'EOF'
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends busybox \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
EOF
  docker build --network host --force-rm --build-arg "BASE=$CC_BASE_IMAGE" -t "$IMAGE" "$d"
}
if docker image inspect "$IMAGE" >/dev/null 2>&1; then cc_skip "image $IMAGE" "built"; else
  cc_step "image $IMAGE" "$log" "hack/build-base-images.sh first" build_image
fi
"$CC_REPO/hack/kind-load.sh" "$IMAGE"

# ------------------------------------------------------------------ checks
runtime_is_containerd() {
  local rt
  rt=$(k get nodes -o jsonpath='{range .items[*]}{.status.nodeInfo.containerRuntimeVersion}{"\n"}{end}')
  echo "$rt"
  [[ -n "$rt" ]] && ! grep -qv '^containerd://' <<<"$rt"
}
cc_step "runtime is containerd" "$log" "kubectl get nodes -o wide" runtime_is_containerd

mapfile -t NODES < <(k get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
CLIENT_NODE="${NODES[0]}"

pod() { # pod NAME NODE LABELS CMD
  cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $NS
  labels: {$3}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 0
  tolerations: [{operator: Exists}]
  containers:
    - name: main
      image: $IMAGE
      imagePullPolicy: Never
      command: [sh, -c, '$4']
---
EOF
}

setup() {
  k delete namespace "$NS" --ignore-not-found --wait=true
  k create namespace "$NS"
  {
    local i=0 n
    for n in "${NODES[@]}"; do
      pod "web-$i" "$n" "app: web" 'mkdir -p /www && hostname > /www/index.html && exec busybox httpd -f -p 8080 -h /www'
      i=$((i + 1))
    done
    pod client-allowed "$CLIENT_NODE" "app: client, access: granted" 'exec sleep 86400'
    pod client-other "$CLIENT_NODE" "app: stranger" 'exec sleep 86400'
    cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: $NS}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: volume, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: main
      image: $IMAGE
      imagePullPolicy: Never
      command: [sh, -c, 'echo smoke-\$(hostname) > /data/file && exec sleep 86400']
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
EOF
  } | k apply -f -
  k -n "$NS" wait --for=condition=Ready pod --all --timeout=120s
}
cc_step "pods on ${#NODES[@]} nodes + PVC" "$log" "kubectl -n $NS get pods -o wide; kubectl -n $NS describe pods" setup

# fetch FROM URL: HTTP GET from pod FROM (3 s timeout); prints the body. (busybox 1.35 wget -T segfaults.)
fetch() { k -n "$NS" exec "$1" -- timeout 3 busybox wget -q -O- "$2"; }

cross_node() {
  local i ip body
  for i in "${!NODES[@]}"; do
    ip=$(k -n "$NS" get pod "web-$i" -o jsonpath='{.status.podIP}')
    body=$(fetch client-allowed "http://$ip:8080/")
    echo "client-allowed on ${CLIENT_NODE} -> web-$i on ${NODES[$i]} ($ip): $body"
    [[ "$body" == "web-$i" ]]
  done
}
cc_step "pod network across nodes" "$log" "kubectl -n kube-system logs ds/ccnet -c ccnet; ip route in the nodes" cross_node

dns() {
  k -n "$NS" exec client-allowed -- getent hosts "web.$NS.svc.cluster.local"
  k -n "$NS" exec client-allowed -- getent hosts kubernetes.default
  fetch client-allowed "http://web.$NS.svc.cluster.local/" | grep -q '^web-'
}
cc_step "cluster DNS + Service" "$log" "kubectl -n kube-system logs deploy/coredns" dns

volume() {
  k -n "$NS" get pvc data -o jsonpath='{.status.phase}' | grep -qx Bound
  k -n "$NS" exec volume -- cat /data/file | grep -qx 'smoke-volume'
  k get pv -o wide
}
cc_step "local-path PVC" "$log" "kubectl -n local-path-storage logs deploy/local-path-provisioner" volume

# NodePort 30080 (host 127.0.0.1:18080). When the platform's gateway already holds it, the check is that
# the host reaches whatever answers there.
nodeport() {
  local owner body
  owner=$(k get svc -A -o jsonpath='{range .items[*]}{range .spec.ports[*]}{.nodePort}{" "}{end}{"|"}{.metadata.namespace}/{.metadata.name}{"\n"}{end}' |
    awk -F'|' '$1 ~ /(^| )30080( |$)/ {print $2}')
  if [[ -z "$owner" || "$owner" == "$NS/web-nodeport" ]]; then
    k -n "$NS" apply -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: web-nodeport, namespace: $NS}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
EOF
    for _ in $(seq 1 30); do
      body=$(curl -fsS -m 3 "http://127.0.0.1:$CC_KIND_HOST_PORT_GATEWAY/" 2>/dev/null) && break
      sleep 1
    done
    echo "127.0.0.1:$CC_KIND_HOST_PORT_GATEWAY -> $body"
    [[ "$body" == web-* ]]
  else
    echo "NodePort 30080 belongs to $owner"
    curl -sS -m 5 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$CC_KIND_HOST_PORT_GATEWAY/"
  fi
}
cc_step "NodePort on 127.0.0.1:$CC_KIND_HOST_PORT_GATEWAY" "$log" "docker ps (port mapping), kubectl get svc -A" nodeport

# NetworkPolicy: only pods labelled access=granted may reach app=web on 8080.
netpol() {
  local ip i
  ip=$(k -n "$NS" get pod web-0 -o jsonpath='{.status.podIP}')
  fetch client-other "http://$ip:8080/" >/dev/null # reachable before the policy
  k -n "$NS" apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {access: granted}}}]
      ports: [{port: 8080, protocol: TCP}]
EOF
  # The policy takes effect within seconds of being seen by every node's agent.
  for i in $(seq 1 20); do
    fetch client-other "http://$ip:8080/" >/dev/null 2>&1 || break
    sleep 1
  done
  for i in "${!NODES[@]}"; do
    ip=$(k -n "$NS" get pod "web-$i" -o jsonpath='{.status.podIP}')
    if fetch client-other "http://$ip:8080/" >/dev/null 2>&1; then
      echo "client-other reached web-$i on ${NODES[$i]} despite the policy"
      return 1
    fi
    echo "client-other -> web-$i (${NODES[$i]}): refused"
    fetch client-allowed "http://$ip:8080/" | grep -qx "web-$i"
    echo "client-allowed -> web-$i (${NODES[$i]}): allowed"
  done
}
cc_step "NetworkPolicy enforced" "$log" "kubectl -n kube-system logs ds/ccnet -c kube-network-policies" netpol

cc_step "delete namespace $NS" "$log" "kubectl delete namespace $NS" k delete namespace "$NS" --wait=false
echo "kind smoke: all checks passed in $(($(cc_now) - t_start))s"
