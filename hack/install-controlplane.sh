#!/usr/bin/env bash
# Installs the local Kubernetes control plane and the Go-built tools, from the Go module
# proxy only (no downloads from web sites): the multi-call k8s binary (kube-apiserver,
# kube-controller-manager, kube-scheduler, kube-proxy, kubelet, kubeadm, kubectl), etcd, kwok, helm and k6; openssl from apt.
#
# Idempotent and cached outside the repo, keyed by the versions in hack/versions.env:
#   $CC_CACHE/k8s-<v>/k8s   $CC_CACHE/etcd-<v>/etcd   $CC_CACHE/kwok-<v>/kwok
#   $CC_CACHE/helm-<v>/helm $CC_CACHE/k6-<v>/k6
# with symlinks in $CC_BIN (~/.cache/chatcluster/bin). A second run takes well under a second.
# Builds write to a temporary name and are renamed at the end, so a killed build never leaves
# a half binary behind. Builds run one after another: each one uses both cores.
#
# Usage: hack/install-controlplane.sh [k8s|etcd|kwok|helm|k6|openssl ...]   (default: all)
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

LOG="$CC_LOGS/install-controlplane.log"
: >"$LOG"

# One installer at a time per cache (two concurrent Kubernetes builds would thrash 2 cores).
exec 9>"$CC_CACHE/.install-controlplane.lock"
flock 9

K8S_MINOR="${KUBERNETES_VERSION#v}"
K8S_MINOR="${K8S_MINOR#*.}"
K8S_MINOR="${K8S_MINOR%%.*}"

# link NAME TARGET: $CC_BIN/NAME -> TARGET (absolute; the k8s binary picks its role from argv[0]).
link() { ln -sfn "$2" "$CC_BIN/$1"; }

# require_mod DIR MODULE VERSION: the wrapper module must pin what versions.env says.
require_mod() {
  if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?$2 $3\$" "$CC_REPO/$1/go.mod"; then
    echo "==> $1/go.mod does not require $2 $3 (hack/versions.env); update one of them" >&2
    exit 1
  fi
}

# go_build MODULE_DIR OUT LDFLAGS: build a wrapper module to OUT.tmp, then rename it to OUT.
# Static (CGO_ENABLED=0): the same binaries run on this machine and in the scratch-based images of the
# kind node and its control plane.
go_build() {
  (cd "$CC_REPO/$1" && CGO_ENABLED=0 go build -trimpath -o "$2.tmp" -ldflags "$3" .) && mv -f "$2.tmp" "$2"
}

install_k8s() {
  local dir="$CC_CACHE/k8s-$KUBERNETES_VERSION" name
  if [[ -x "$dir/k8s" ]]; then
    cc_skip "kubernetes $KUBERNETES_VERSION" "$dir/k8s"
  else
    require_mod hack/tools/k8s k8s.io/kubernetes "$KUBERNETES_VERSION"
    mkdir -p "$dir"
    # Same flags as the documented manual build, so the Go build cache is shared with it.
    local ldflags="-s -w"
    ldflags+=" -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION"
    ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
    ldflags+=" -X k8s.io/component-base/version.gitMinor=$K8S_MINOR"
    ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
    ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1"
    ldflags+=" -X k8s.io/client-go/pkg/version.gitMinor=$K8S_MINOR"
    cc_step "kubernetes $KUBERNETES_VERSION (go build)" "$LOG" \
      "cd hack/tools/k8s && go build . (a cold build takes ~10 min on 2 cores)" \
      go_build hack/tools/k8s "$dir/k8s" "$ldflags"
  fi
  for name in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl; do
    link "$name" "$dir/k8s"
  done
}

install_etcd() {
  local dir="$CC_CACHE/etcd-$ETCD_VERSION"
  if [[ -x "$dir/etcd" ]]; then
    cc_skip "etcd $ETCD_VERSION" "$dir/etcd"
  else
    require_mod hack/tools/etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
    mkdir -p "$dir"
    cc_step "etcd $ETCD_VERSION (go build)" "$LOG" "cd hack/tools/etcd && go build ." \
      go_build hack/tools/etcd "$dir/etcd" "-s -w"
  fi
  link etcd "$dir/etcd"
}

# go_install NAME VERSION PACKAGE [go install flags...]: GOBIN is a versioned cache folder;
# go install writes the binary in one step only after a successful link.
go_install() {
  local name="$1" version="$2" pkg="$3"
  shift 3
  local dir="$CC_CACHE/$name-$version"
  if [[ -x "$dir/$name" ]]; then
    cc_skip "$name $version" "$dir/$name"
  else
    mkdir -p "$dir"
    cc_step "$name $version (go install)" "$LOG" "GOBIN=$dir go install $* $pkg@$version" \
      env GOBIN="$dir" go install "$@" "$pkg@$version"
  fi
  link "$name" "$dir/$name"
}

install_kwok() {
  go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
}

install_helm() {
  # Without these, `helm template`/`helm lint` assume Kubernetes 1.20 (.Capabilities.KubeVersion).
  go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$K8S_MINOR \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$K8S_MINOR"
}

install_k6() {
  go_install k6 "$K6_VERSION" go.k6.io/k6 -ldflags "-s -w"
}

install_openssl() {
  if command -v openssl >/dev/null; then
    cc_skip "openssl" "$(openssl version | cut -d' ' -f1-2)"
  else
    cc_step "openssl (apt)" "$LOG" "apt-get update && apt-get install -y openssl" \
      bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl'
  fi
}

components=("$@")
((${#components[@]})) || components=(openssl k8s etcd kwok helm k6)
for c in "${components[@]}"; do
  case "$c" in
  k8s | etcd | kwok | helm | k6 | openssl) "install_$c" ;;
  *)
    echo "unknown component: $c (k8s|etcd|kwok|helm|k6|openssl)" >&2
    exit 2
    ;;
  esac
done
