#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback, with fake (kwok) nodes instead of kubelets:
#   etcd -> kube-apiserver -> kube-controller-manager -> kube-scheduler -> kwok -> 3 Nodes.
# Pods are scheduled by the real scheduler and driven to Running/Ready by kwok; PVCs of the
# default StorageClass `kwok-volume` are bound to fake PersistentVolumes by kwok.
#
# Idempotent: components already running (pid files in $CC_RUN/pids) are kept, only their
# readiness is checked again. Certificates are made once per run dir ($CC_RUN/pki).
# Everything binds to 127.0.0.1. The admin kubeconfig is $CC_RUN/kubeconfig (also written as
# KUBECONFIG=... in $CC_RUN/cluster.env). Stop with hack/cluster-down.sh [--purge].
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

T0=$(cc_now)
PKI="$CC_RUN/pki"
KUBE="$CC_RUN/kube"
ETCD_DATA="$CC_RUN/data/etcd"
KUBECONFIG_ADMIN="$CC_RUN/kubeconfig"
SERVER="https://127.0.0.1:$CC_APISERVER_PORT"
NODES=(kwok-node-0 kwok-node-1 kwok-node-2)
mkdir -p "$PKI" "$KUBE" "$ETCD_DATA"
chmod 700 "$PKI" "$ETCD_DATA"

"$CC_REPO/hack/install-controlplane.sh" openssl k8s etcd kwok
KUBECTL=("$CC_BIN/kubectl" --kubeconfig="$KUBECONFIG_ADMIN")

# ---------------------------------------------------------------------------- certificates
# These run under cc_step, where `set -e` does not apply: every step is chained with && and
# make_pki ends by verifying the chain, so a failed step fails the whole step.
# new_ca NAME CN: a self-signed CA.
new_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 3650 -sha256 \
    -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign,cRLSign"
}

# sign NAME SUBJECT EXTENSIONS [CA]: an RSA key and a certificate signed by CA (default: ca).
sign() {
  local name="$1" subj="$2" ext="$3" ca="${4:-ca}"
  openssl genrsa -out "$PKI/$name.key" 2048 &&
    openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" &&
    printf '%b\n' "$ext" >"$PKI/$name.ext" &&
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
      -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" &&
    rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  local client='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
  new_ca ca chatcluster-local-ca
  # Request-header (front-proxy) CA: lets the aggregation layer (metrics/custom-metrics APIs)
  # and the delegated authentication of controller-manager/scheduler work as in kubeadm clusters.
  new_ca front-proxy-ca chatcluster-local-front-proxy-ca
  sign front-proxy-client "/CN=front-proxy-client" "$client" front-proxy-ca
  sign apiserver "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign admin "/O=system:masters/CN=chatcluster-admin" "$client"
  sign kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign kube-scheduler "/CN=system:kube-scheduler" "$client"
  # Service-account token signing pair.
  openssl genrsa -out "$PKI/sa.key" 2048
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  chmod 600 "$PKI"/*.key &&
    openssl verify -CAfile "$PKI/ca.crt" "$PKI"/{apiserver,admin,kube-controller-manager,kube-scheduler}.crt &&
    openssl verify -CAfile "$PKI/front-proxy-ca.crt" "$PKI/front-proxy-client.crt" &&
    openssl rsa -pubin -in "$PKI/sa.pub" -noout
}

PKI_FILES=(ca.crt ca.key front-proxy-ca.crt front-proxy-client.crt front-proxy-client.key apiserver.crt apiserver.key
  admin.crt admin.key kube-controller-manager.crt kube-controller-manager.key kube-scheduler.crt kube-scheduler.key
  sa.key sa.pub)
pki_complete() {
  local f
  for f in "${PKI_FILES[@]}"; do [[ -s "$PKI/$f" ]] || return 1; done
}
if pki_complete; then
  cc_skip "certificates" "$PKI"
else
  rm -f "$PKI"/*
  cc_step "certificates (openssl)" "$CC_LOGS/pki.log" "check openssl works; rm -rf $PKI and retry" make_pki
fi

# kubeconfig FILE USER: a kubeconfig with embedded certificates, written atomically.
kubeconfig() {
  local file="$1" user="$2"
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: chatcluster-local
    cluster:
      server: $SERVER
      certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(base64 -w0 "$PKI/$user.crt")
      client-key-data: $(base64 -w0 "$PKI/$user.key")
contexts:
  - name: chatcluster-local
    context:
      cluster: chatcluster-local
      user: $user
current-context: chatcluster-local
EOF
  chmod 600 "$file.tmp"
  mv -f "$file.tmp" "$file"
}
kubeconfig "$KUBECONFIG_ADMIN" admin
kubeconfig "$KUBE/kube-controller-manager.kubeconfig" kube-controller-manager
kubeconfig "$KUBE/kube-scheduler.kubeconfig" kube-scheduler
printf 'KUBECONFIG=%s\nCC_APISERVER_URL=%s\nCC_ETCD_URL=http://127.0.0.1:%s\n' "$KUBECONFIG_ADMIN" "$SERVER" "$CC_ETCD_PORT" >"$CC_RUN/cluster.env"

# ---------------------------------------------------------------------------- processes
# launch NAME PORT CMD...: start NAME unless it runs already; refuse a port taken by a stranger.
launch() {
  local name="$1" port="$2"
  shift 2
  if cc_running "$name"; then
    printf '==> %-34s running (pid %s)\n' "start $name" "$(cat "$CC_PIDS/$name.pid")"
    return 0
  fi
  if ! cc_port_free "$port"; then
    echo "==> start $name: 127.0.0.1:$port is taken by a process this script did not start:" >&2
    ss -ltnp "sport = :$port" >&2 || true
    echo "    fix: stop it, or pick another port (hack/lib/ports.env variables are overridable)" >&2
    exit 1
  fi
  : >"$CC_LOGS/$name.log"
  cc_start "$name" "$CC_LOGS/$name.log" "$@"
  printf '==> %-34s pid %s\n' "start $name" "$(cat "$CC_PIDS/$name.pid")"
}

probe_etcd() { curl -sf "http://127.0.0.1:$CC_ETCD_PORT/health" | grep -q '"health":"true"'; }
probe_apiserver() {
  [[ "$(curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$SERVER/readyz")" == ok ]]
}
probe_secure() { [[ "$(curl -skf "https://127.0.0.1:$1/healthz")" == ok ]]; }
probe_kwok() { [[ "$(curl -sf "http://127.0.0.1:$CC_KWOK_PORT/healthz")" == ok ]]; }

if cc_running etcd || cc_port_free "$CC_ETCD_PEER_PORT"; then :; else
  echo "==> etcd peer port 127.0.0.1:$CC_ETCD_PEER_PORT is taken by another process" >&2
  exit 1
fi
# --unsafe-no-fsync (as envtest does): a throw-away dev/test store; a power cut may lose the
# last writes, a normal stop does not.
launch etcd "$CC_ETCD_PORT" "$CC_BIN/etcd" \
  --name=chatcluster \
  --data-dir="$ETCD_DATA" \
  --listen-client-urls="http://127.0.0.1:$CC_ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$CC_ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$CC_ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$CC_ETCD_PEER_PORT" \
  --initial-cluster="chatcluster=http://127.0.0.1:$CC_ETCD_PEER_PORT" \
  --unsafe-no-fsync=true \
  --quota-backend-bytes=2147483648 \
  --auto-compaction-retention=10m
cc_wait etcd 60 "$CC_LOGS/etcd.log" probe_etcd

# --endpoint-reconciler-type=none: the Endpoints of the `kubernetes` Service may not hold a
# loopback address (the default reconciler would log a validation error every 10s).
launch kube-apiserver "$CC_APISERVER_PORT" "$CC_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$CC_ETCD_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$CC_APISERVER_PORT" \
  --cert-dir="$PKI" \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --authorization-mode=Node,RBAC \
  --service-cluster-ip-range=10.0.0.0/16 \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
  --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --profiling=false
cc_wait kube-apiserver 120 "$CC_LOGS/kube-apiserver.log" probe_apiserver

launch kube-controller-manager "$CC_KCM_PORT" "$CC_BIN/kube-controller-manager" \
  --kubeconfig="$KUBE/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$KUBE/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$KUBE/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$CC_KCM_PORT" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" \
  --cluster-signing-key-file="$PKI/ca.key" \
  --cluster-name=chatcluster-local \
  --controllers='*' \
  --profiling=false
cc_wait kube-controller-manager 60 "$CC_LOGS/kube-controller-manager.log" probe_secure "$CC_KCM_PORT"

launch kube-scheduler "$CC_SCHEDULER_PORT" "$CC_BIN/kube-scheduler" \
  --kubeconfig="$KUBE/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$KUBE/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$KUBE/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$CC_SCHEDULER_PORT" \
  --leader-elect=false \
  --profiling=false
cc_wait kube-scheduler 60 "$CC_LOGS/kube-scheduler.log" probe_secure "$CC_SCHEDULER_PORT"

# kwok loads no Stage by itself: hack/kwok/stages.yaml carries kwokctl's defaults (+ volumes).
# Each kwok process holds the node Leases under a new random identity; a fresh kwok would wait
# for the previous process's Leases to expire (40s) before it drives any Pod, so drop them first.
if ! cc_running kwok; then
  "${KUBECTL[@]}" -n kube-node-lease delete lease "${NODES[@]}" --ignore-not-found >>"$CC_LOGS/cluster-objects.log" 2>&1
fi
launch kwok "$CC_KWOK_PORT" "$CC_BIN/kwok" \
  --kubeconfig="$KUBECONFIG_ADMIN" \
  --config="$CC_REPO/hack/kwok/stages.yaml" \
  --manage-all-nodes=true \
  --server-address="127.0.0.1:$CC_KWOK_PORT" \
  --node-ip=127.0.0.1 \
  --cidr=10.244.0.0/16 \
  --node-lease-duration-seconds=40
cc_wait kwok 60 "$CC_LOGS/kwok.log" probe_kwok

# ---------------------------------------------------------------------------- cluster objects
nodes_yaml() {
  local n
  for n in "${NODES[@]}"; do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $n
  labels:
    type: kwok
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/agent: ""
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "500", ephemeral-storage: 1Ti}
  capacity: {cpu: "64", memory: 256Gi, pods: "500", ephemeral-storage: 1Ti}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
    kubeProxyVersion: fake
EOF
  done
}
apply_objects() {
  nodes_yaml | "${KUBECTL[@]}" apply --server-side --field-manager=chatcluster-up -f - &&
    "${KUBECTL[@]}" apply --server-side --field-manager=chatcluster-up -f "$CC_REPO/hack/kwok/storageclass.yaml"
}
cc_step "nodes + storage class" "$CC_LOGS/cluster-objects.log" "kubectl --kubeconfig=$KUBECONFIG_ADMIN get nodes" \
  apply_objects
nodes_ready() { "${KUBECTL[@]}" wait --for=condition=Ready node -l type=kwok --timeout=2s; }
# leases_fresh: every node Lease was renewed in the last 30s (kwok heartbeats, as a kubelet would).
leases_fresh() {
  local now n t
  now=$(date +%s)
  for n in "${NODES[@]}"; do
    t=$("${KUBECTL[@]}" -n kube-node-lease get lease "$n" -o jsonpath='{.spec.renewTime}') && [[ -n "$t" ]] &&
      ((now - $(date -d "$t" +%s) < 30)) || return 1
  done
}
default_sa() { "${KUBECTL[@]}" -n default get serviceaccount default; }
cc_wait "node leases renewed by kwok" 60 "$CC_LOGS/kwok.log" leases_fresh
cc_wait "nodes Ready" 60 "$CC_LOGS/kwok.log" nodes_ready
cc_wait "default service account" 60 "$CC_LOGS/kube-controller-manager.log" default_sa

# ---------------------------------------------------------------------------- summary
pid_of() { cat "$CC_PIDS/$1.pid"; }
echo
echo "Local control plane up in $(($(cc_now) - T0))s (Kubernetes $KUBERNETES_VERSION, loopback only):"
printf '  %-24s %-8s %-36s %s\n' COMPONENT PID ENDPOINT LOG
printf '  %-24s %-8s %-36s %s\n' \
  etcd "$(pid_of etcd)" "http://127.0.0.1:$CC_ETCD_PORT" "$CC_LOGS/etcd.log" \
  kube-apiserver "$(pid_of kube-apiserver)" "$SERVER" "$CC_LOGS/kube-apiserver.log" \
  kube-controller-manager "$(pid_of kube-controller-manager)" "https://127.0.0.1:$CC_KCM_PORT" \
  "$CC_LOGS/kube-controller-manager.log" \
  kube-scheduler "$(pid_of kube-scheduler)" "https://127.0.0.1:$CC_SCHEDULER_PORT" "$CC_LOGS/kube-scheduler.log" \
  kwok "$(pid_of kwok)" "http://127.0.0.1:$CC_KWOK_PORT" "$CC_LOGS/kwok.log"
echo "  nodes: ${NODES[*]} (kwok, label type=kwok); default StorageClass: kwok-volume"
echo "  kubeconfig: $KUBECONFIG_ADMIN   (source $CC_RUN/cluster.env)"
echo "  try: $CC_BIN/kubectl --kubeconfig=$KUBECONFIG_ADMIN get nodes"
