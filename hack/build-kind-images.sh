#!/usr/bin/env bash
# Builds every image a kind node needs, offline (no registry), and the node image itself:
#
#   chatcluster/k8s:<k8s>                  static base + the one multi-call Kubernetes binary
#   registry.k8s.io/kube-apiserver:<k8s>   } chatcluster/k8s + a symlink named for the role
#   registry.k8s.io/kube-controller-manager, kube-scheduler (same layers: stored once)
#   chatcluster/netbase:bookworm           Debian + iptables/nftables/conntrack/iproute2
#   registry.k8s.io/kube-proxy:<k8s>       netbase + the k8s binary + an iptables-mode wrapper
#   registry.k8s.io/etcd:<etcd>-0          static base + etcd (kubeadm is told this tag: hack/kind/config.yaml)
#   registry.k8s.io/coredns/coredns:<v>    static base + coredns with cap_net_bind_service (tar | docker import)
#   registry.k8s.io/pause:3.10.2, :3.10    static base + pause.c from the k8s module, gcc -static
#   chatcluster/ccnet:<tag>                netbase + ccnet (pod network, hack/tools/ccnet) + kube-network-policies
#   chatcluster/local-path-provisioner:<v> static base + rancher local-path-provisioner
#   chatcluster/debian:bookworm            (the local-path helper pods run the project's Debian base)
#   chatcluster/kind-base:bookworm         kind's base image: Debian systemd, containerd, runc, CNI plugins, crictl
#   chatcluster/kind-node:<k8s>            the node image, assembled the way kind's pkg/build/nodeimage does
#
# Every binary comes from the Go module proxy or Debian and is cached under $CC_CACHE/<name>-<version>;
# every image carries a label cc.key with the hash of its inputs, so a warm run only compares labels.
# Needs: make engine-up, hack/build-base-images.sh, hack/install-controlplane.sh k8s etcd (run here if missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
cc_engine_require
log="$CC_LOGS/build-kind-images.log"
[[ "${1:-}" == --do ]] || : >"$log"

K8S="$KUBERNETES_VERSION"
ETCD_TAG="${ETCD_VERSION#v}-0"
# Build contexts: one temporary folder per run (the children of `step` inherit it), removed at the end.
if [[ -z "${CC_KIND_CTX:-}" ]]; then
  CC_KIND_CTX=$(mktemp -d "$CC_CACHE/kind-build.XXXXXX")
  export CC_KIND_CTX
  trap 'rm -rf "$CC_KIND_CTX"' EXIT
fi
CTX="$CC_KIND_CTX"

IMG_K8S="chatcluster/k8s:$K8S"
IMG_NETBASE="chatcluster/netbase:bookworm"
IMG_APISERVER="registry.k8s.io/kube-apiserver:$K8S"
IMG_CM="registry.k8s.io/kube-controller-manager:$K8S"
IMG_SCHED="registry.k8s.io/kube-scheduler:$K8S"
IMG_PROXY="registry.k8s.io/kube-proxy:$K8S"
IMG_ETCD="registry.k8s.io/etcd:$ETCD_TAG"
IMG_COREDNS="registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
IMG_PAUSE="registry.k8s.io/pause:$PAUSE_VERSION"
IMG_PAUSE_KIND="registry.k8s.io/pause:$KIND_PAUSE_VERSION"
IMG_LPP="chatcluster/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION"
IMG_HELPER="$CC_BASE_IMAGE"
IMG_BASE="$KIND_BASE_IMAGE"
IMG_NODE="$KIND_NODE_IMAGE"

sha() { sha256sum | cut -c1-16; }
# fileid FILE...: a cheap identity of files (path, size, mtime) for cache keys.
fileid() { stat -L -c '%n %s %Y' "$@"; }
imgid() { docker image inspect -f '{{.Id}}' "$1"; }
label() { docker image inspect -f '{{index .Config.Labels "cc.key"}}' "$1" 2>/dev/null || true; }

# step NAME HINT FN [ARGS]: one progress line for FN, run in a child bash of this script so that
# `set -e` holds inside FN (bash ignores it in functions called from an `if`, as cc_step does).
step() {
  local name="$1" hint="$2"
  shift 2
  cc_step "$name" "$log" "$hint" "$BASH" "${BASH_SOURCE[0]}" --do "$@"
}

# image TAG KEY FN [ARGS]: run FN KEY [ARGS] (which builds TAG with label cc.key=KEY) unless TAG has that key.
image() {
  local tag="$1" key="$2" fn="$3"
  shift 3
  if [[ "$(label "$tag")" == "$key" ]]; then
    cc_skip "image $tag" "built"
  else
    step "image $tag" "see the log; re-run hack/build-kind-images.sh (each image is cached on its own)" "$fn" "$key" "$@"
  fi
}

# dbuild TAG KEY DIR [docker build args]: classic builder, host network (apt reaches the mirror).
dbuild() {
  local tag="$1" key="$2" dir="$3"
  shift 3
  docker build --network host --force-rm --label "cc.key=$key" --build-arg "BASE=$CC_BASE_IMAGE" "$@" -t "$tag" "$dir"
}

# ctx NAME: a fresh, empty build context folder.
ctx() {
  rm -rf "${CTX:?}/$1"
  mkdir -p "$CTX/$1"
  echo "$CTX/$1"
}

# ---------------------------------------------------------------- binaries (Go module proxy, gcc)
# gobin NAME VERSION PACKAGE LDFLAGS: $CC_CACHE/NAME-VERSION/NAME, static, built once per version.
gobin() {
  local name="$1" version="$2" pkg="$3" ldflags="$4" dir="$CC_CACHE/$1-$2"
  if [[ -x "$dir/$name" ]]; then
    cc_skip "$name $version" "$dir/$name"
  else
    mkdir -p "$dir"
    cc_step "$name $version (go install)" "$log" "GOBIN=$dir CGO_ENABLED=0 go install $pkg@$version" \
      env GOBIN="$dir" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "$pkg@$version"
  fi
}

modroot() { go mod download -json "$1" | jq -r .Dir; }

build_pause() {
  local src
  src="$(modroot "k8s.io/kubernetes@$K8S")/build/pause/linux/pause.c"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-chatcluster" -o "$1.tmp" "$src" && strip "$1.tmp" && mv -f "$1.tmp" "$1"
}

# kube-network-policies (the NetworkPolicy engine kindnetd embeds) with two edits for this kernel,
# which has no nft "queue" expression (CONFIG_NFT_QUEUE unset) but has the iptables NFQUEUE target:
# the rule sends packets with the xt NFQUEUE target through nft_compat, in an ip (not inet) table.
build_netpol() {
  local out="$1" src dst f
  src="$(modroot "sigs.k8s.io/kube-network-policies@$KUBE_NETWORK_POLICIES_VERSION")"
  dst="$CC_CACHE/kube-network-policies-src-$KUBE_NETWORK_POLICIES_VERSION"
  rm -rf "$dst"
  cp -r "$src" "$dst"
  chmod -R u+w "$dst"
  f="$dst/pkg/networkpolicy/controller.go"
  perl -0pi -e 's/queue := &expr\.Queue\{Num: uint16\(c\.config\.QueueID\)\}\n\tif c\.config\.FailOpen \{\n\t\tqueue\.Flag = expr\.QueueFlagBypass\n\t\}/queue := xtNFQueue(uint16(c.config.QueueID), c.config.FailOpen)/g; s/nftables\.TableFamilyINet/nftables.TableFamilyIPv4/g' "$f"
  [[ $(grep -c 'xtNFQueue(' "$f") == 2 && $(grep -c 'expr.Queue{' "$f") == 0 ]] ||
    { echo "kube-network-policies $KUBE_NETWORK_POLICIES_VERSION: the queue rules are not where the patch expects them" >&2; return 1; }
  cp "$CC_REPO/hack/kind/netpol-xt-nfqueue.go.txt" "$dst/pkg/networkpolicy/zz_xt_nfqueue.go"
  (cd "$dst" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "-s -w" -o "$out.tmp" ./cmd) && mv -f "$out.tmp" "$out"
}

build_ccnet() {
  (cd "$CC_REPO/hack/tools/ccnet" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1.tmp" .) && mv -f "$1.tmp" "$1"
}

binaries() {
  local dir
  for dir in "$CC_CACHE/k8s-$K8S/k8s" "$CC_CACHE/etcd-$ETCD_VERSION/etcd"; do
    if [[ ! -x "$dir" ]]; then
      cc_step "kubernetes + etcd (install-controlplane)" "$log" "hack/install-controlplane.sh k8s etcd" \
        "$CC_REPO/hack/install-controlplane.sh" k8s etcd
      break
    fi
  done
  K8S_BIN="$CC_CACHE/k8s-$K8S/k8s"
  ETCD_BIN="$CC_CACHE/etcd-$ETCD_VERSION/etcd"
  cc_skip "kubernetes $K8S + etcd $ETCD_VERSION" "hack/install-controlplane.sh"
  gobin kind "$KIND_VERSION" sigs.k8s.io/kind "-s -w"
  gobin crictl "$CRICTL_VERSION" sigs.k8s.io/cri-tools/cmd/crictl "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
  gobin coredns "$COREDNS_VERSION" github.com/coredns/coredns "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
  gobin local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" github.com/rancher/local-path-provisioner "-s -w"
  PAUSE_BIN="$CC_CACHE/pause-$PAUSE_VERSION/pause"
  if [[ -x "$PAUSE_BIN" ]]; then cc_skip "pause $PAUSE_VERSION" "$PAUSE_BIN"; else
    mkdir -p "${PAUSE_BIN%/*}"
    step "pause $PAUSE_VERSION (gcc -static)" "apt-get install -y gcc libc6-dev" build_pause "$PAUSE_BIN"
  fi
  NETPOL_BIN="$CC_CACHE/kube-network-policies-$KUBE_NETWORK_POLICIES_VERSION-xt/netpol"
  if [[ -x "$NETPOL_BIN" && "$NETPOL_BIN" -nt "$CC_REPO/hack/kind/netpol-xt-nfqueue.go.txt" ]]; then
    cc_skip "kube-network-policies $KUBE_NETWORK_POLICIES_VERSION" "$NETPOL_BIN"
  else
    mkdir -p "${NETPOL_BIN%/*}"
    step "kube-network-policies $KUBE_NETWORK_POLICIES_VERSION" "see the log (patched copy in $CC_CACHE)" build_netpol "$NETPOL_BIN"
  fi
  local src
  src=$(cat "$CC_REPO"/hack/tools/ccnet/{go.mod,go.sum,*.go} | sha | cut -c1-10)
  CCNET_BIN="$CC_CACHE/ccnet-$src/ccnet"
  if [[ -x "$CCNET_BIN" ]]; then cc_skip "ccnet" "$CCNET_BIN"; else
    mkdir -p "${CCNET_BIN%/*}"
    step "ccnet (go build)" "cd hack/tools/ccnet && go build ." build_ccnet "$CCNET_BIN"
  fi
  CCNET_SRC="$src"
}

# ---------------------------------------------------------------- images
img_k8s() {
  local d
  d=$(ctx k8s)
  cp "$K8S_BIN" "$d/k8s"
  printf 'FROM %s\nCOPY k8s /usr/local/bin/k8s\nENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' "$CC_STATIC_IMAGE" >"$d/Dockerfile"
  dbuild "$IMG_K8S" "$1" "$d"
}

# img_role KEY TAG ROLE: chatcluster/k8s + /usr/local/bin/ROLE -> k8s (only a symlink in its own layer).
img_role() {
  local d
  d=$(ctx "$3")
  mkdir "$d/bin"
  ln -s k8s "$d/bin/$3"
  printf 'FROM %s\nCOPY bin/ /usr/local/bin/\n' "$IMG_K8S" >"$d/Dockerfile"
  dbuild "$2" "$1" "$d"
}

img_netbase() {
  local d
  d=$(ctx netbase)
  cat >"$d/Dockerfile" <<'EOF'
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      iptables nftables conntrack iproute2 ipset kmod \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/debconf/* /var/log/* /usr/share/doc/* /usr/share/man/*
EOF
  dbuild "$IMG_NETBASE" "$1" "$d"
}

# kube-proxy: the k8s binary behind a wrapper that first picks the iptables backend the node uses
# (legacy or nft: whichever already holds more rules), as upstream's iptables-wrapper does.
img_proxy() {
  local d
  d=$(ctx kube-proxy)
  cp "$K8S_BIN" "$d/k8s"
  cat >"$d/kube-proxy" <<'EOF'
#!/bin/sh
legacy=$( (iptables-legacy-save; ip6tables-legacy-save) 2>/dev/null | grep -c '^-' || true)
nft=$( (iptables-nft-save; ip6tables-nft-save) 2>/dev/null | grep -c '^-' || true)
if [ "${legacy:-0}" -gt "${nft:-0}" ]; then mode=legacy; else mode=nft; fi
for t in iptables ip6tables; do update-alternatives --set "$t" "/usr/sbin/$t-$mode" >/dev/null 2>&1 || true; done
exec /usr/local/bin/k8s kube-proxy "$@"
EOF
  chmod 0755 "$d/kube-proxy"
  printf 'FROM %s\nCOPY k8s kube-proxy /usr/local/bin/\n' "$IMG_NETBASE" >"$d/Dockerfile"
  dbuild "$IMG_PROXY" "$1" "$d"
}

img_etcd() {
  local d
  d=$(ctx etcd)
  cp "$ETCD_BIN" "$d/etcd"
  printf 'FROM %s\nCOPY etcd /usr/local/bin/etcd\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' "$CC_STATIC_IMAGE" >"$d/Dockerfile"
  dbuild "$IMG_ETCD" "$1" "$d"
}

# coredns runs as 65532 with only NET_BIND_SERVICE: the binary needs the file capability, which a
# classic-builder COPY drops; so the image is the static base's files + /coredns, tar --xattrs | import.
img_coredns() {
  local d cid
  d=$(ctx coredns)
  mkdir "$d/root"
  cid=$(docker create "$CC_STATIC_IMAGE" /coredns)
  docker export "$cid" | tar -C "$d/root" -x
  docker rm "$cid" >/dev/null
  rm -f "$d/root/.dockerenv"
  cp "$CC_CACHE/coredns-$COREDNS_VERSION/coredns" "$d/root/coredns"
  setcap cap_net_bind_service=+ep "$d/root/coredns"
  tar -C "$d/root" --numeric-owner --xattrs --xattrs-include='security.capability' -c . |
    docker import --change 'ENTRYPOINT ["/coredns"]' --change 'USER 65532:65532' --change 'EXPOSE 53 53/udp' \
      --change "LABEL cc.key=$1" - "$IMG_COREDNS"
}

img_pause() {
  local d
  d=$(ctx pause)
  cp "$PAUSE_BIN" "$d/pause"
  printf 'FROM %s\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' "$CC_STATIC_IMAGE" >"$d/Dockerfile"
  dbuild "$IMG_PAUSE" "$1" "$d" && docker tag "$IMG_PAUSE" "$IMG_PAUSE_KIND"
}

img_lpp() {
  local d
  d=$(ctx local-path-provisioner)
  cp "$CC_CACHE/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION/local-path-provisioner" "$d/"
  printf 'FROM %s\nCOPY local-path-provisioner /usr/bin/local-path-provisioner\nENV PATH=/usr/bin:/bin\nENTRYPOINT ["local-path-provisioner"]\n' "$CC_STATIC_IMAGE" >"$d/Dockerfile"
  dbuild "$IMG_LPP" "$1" "$d"
}

img_ccnet() {
  local d
  d=$(ctx ccnet)
  cp "$CCNET_BIN" "$NETPOL_BIN" "$d/"
  printf 'FROM %s\nCOPY ccnet netpol /usr/local/bin/\n' "$IMG_NETBASE" >"$d/Dockerfile"
  dbuild "$IMG_CCNET" "$1" "$d"
}

# kind's base image: files from kind's images/base/files (the kind Go module of KIND_VERSION),
# with one change for machines whose capability bounding set lacks CAP_SYS_RESOURCE (nothing in the
# node may lower oom_score_adj; systemd itself ignores that for its units): containerd's CRI plugin
# restricts oom_score_adj. The fuse-overlayfs snapshotter (rootless only) is left out.
img_base() {
  local d files
  d=$(ctx kind-base)
  files="$(modroot "sigs.k8s.io/kind@$KIND_VERSION")/images/base/files"
  cp -r "$files" "$d/files"
  chmod -R u+w,go-w "$d/files"
  find "$d/files" -type d -exec chmod 0755 {} +
  find "$d/files" -type f -exec chmod 0644 {} +
  chmod 0755 "$d"/files/usr/local/bin/* "$d"/files/kind/bin/*
  rm -rf "$d/files/LICENSES/README.txt" "$d/files/etc/systemd/system/containerd-fuse-overlayfs.service"
  perl -0pi -e 's/\[proxy_plugins\]\n.*?\n\n//s; s/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$d/files/etc/containerd/config.toml"
  grep -q 'restrict_oom_score_adj = true' "$d/files/etc/containerd/config.toml"
  if grep -q fuse-overlayfs "$d/files/etc/containerd/config.toml"; then
    echo "kind $KIND_VERSION: containerd config.toml changed shape; the fuse-overlayfs edit did not apply" >&2
    return 1
  fi
  cp "$CC_CACHE/crictl-$CRICTL_VERSION/crictl" "$d/crictl"
  cp "$CC_REPO/hack/kind/base.Dockerfile" "$d/Dockerfile"
  dbuild "$IMG_BASE" "$1" "$d"
}

# The node image, as kind's pkg/build/nodeimage assembles it: the base runs with sleep as its
# entrypoint; the Kubernetes binaries go to /usr/bin; /kind/version and /kind/manifests are written;
# a containerd started inside imports a docker save of every image (pinned, not unpacked); commit.
NODE_IMAGES=()
img_node() {
  local key="$1" cid d
  d=$(ctx kind-node)
  sed "s|@CCNET_IMAGE@|$IMG_CCNET|g" "$CC_REPO/hack/kind/manifests/default-cni.yaml" >"$d/default-cni.yaml"
  sed -e "s|@LOCAL_PATH_PROVISIONER_IMAGE@|$IMG_LPP|g" -e "s|@LOCAL_PATH_HELPER_IMAGE@|$IMG_HELPER|g" \
    "$CC_REPO/hack/kind/manifests/default-storage.yaml" >"$d/default-storage.yaml"
  cid=$(docker run -d --entrypoint=sleep --security-opt seccomp=unconfined "$IMG_BASE" infinity)
  # shellcheck disable=SC2064
  trap "docker rm -f $cid >/dev/null 2>&1 || true" EXIT
  docker cp "$K8S_BIN" "$cid:/usr/bin/k8s"
  docker exec "$cid" bash -euc '
    chown root:root /usr/bin/k8s; chmod 0755 /usr/bin/k8s
    for b in kubeadm kubelet kubectl; do ln -sf k8s /usr/bin/$b; done
    mkdir -p /kind/manifests
    kubelet --version; kubeadm version -o short'
  echo "$K8S" | docker exec -i "$cid" tee /kind/version >/dev/null
  docker cp "$d/default-cni.yaml" "$cid:/kind/manifests/default-cni.yaml"
  docker cp "$d/default-storage.yaml" "$cid:/kind/manifests/default-storage.yaml"
  docker exec "$cid" bash -c 'nohup containerd >/var/log/containerd-build.log 2>&1 &'
  docker exec "$cid" bash -euc 'for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.2; done; ctr version >/dev/null'
  docker save "${NODE_IMAGES[@]}" |
    docker exec -i "$cid" ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack -
  docker exec "$cid" ctr --namespace=k8s.io images list -q
  # sleep is pid 1 here and reaps nothing: a stopped containerd stays a zombie.
  docker exec "$cid" bash -c 'pkill -x containerd; for i in $(seq 1 50); do ps -C containerd -o stat= | grep -qv "^Z" || exit 0; sleep 0.2; done; exit 1'
  docker exec "$cid" rm -f /var/log/containerd-build.log
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' \
    --change "LABEL cc.key=$key" "$cid" "$IMG_NODE"
}

# ---------------------------------------------------------------- main
if [[ "${1:-}" == --do ]]; then
  shift
  shopt -s inherit_errexit
  read -r -a NODE_IMAGES <<<"${CC_NODE_IMAGES:-}"
  "$@"
  exit
fi
# One build at a time per cache (a second run waits, then finds everything built).
exec 8>"$CC_CACHE/.build-kind-images.lock"
flock 8
binaries
IMG_CCNET="chatcluster/ccnet:$KUBE_NETWORK_POLICIES_VERSION-$CCNET_SRC"
export K8S_BIN ETCD_BIN PAUSE_BIN NETPOL_BIN CCNET_BIN IMG_CCNET
static_id=$(imgid "$CC_STATIC_IMAGE") || { echo "run hack/build-base-images.sh first" >&2; exit 1; }
base_id=$(imgid "$CC_BASE_IMAGE") || { echo "run hack/build-base-images.sh first" >&2; exit 1; }
fn_key() { { declare -f "$1"; shift; printf '%s\n' "$@"; } | sha; }

image "$IMG_K8S" "$(fn_key img_k8s "$static_id" "$(fileid "$K8S_BIN")")" img_k8s
k8s_id=$(imgid "$IMG_K8S")
image "$IMG_APISERVER" "$(fn_key img_role "$k8s_id" kube-apiserver)" img_role "$IMG_APISERVER" kube-apiserver
image "$IMG_CM" "$(fn_key img_role "$k8s_id" kube-controller-manager)" img_role "$IMG_CM" kube-controller-manager
image "$IMG_SCHED" "$(fn_key img_role "$k8s_id" kube-scheduler)" img_role "$IMG_SCHED" kube-scheduler
image "$IMG_NETBASE" "$(fn_key img_netbase "$base_id")" img_netbase
netbase_id=$(imgid "$IMG_NETBASE")
image "$IMG_PROXY" "$(fn_key img_proxy "$netbase_id" "$(fileid "$K8S_BIN")")" img_proxy
image "$IMG_ETCD" "$(fn_key img_etcd "$static_id" "$(fileid "$ETCD_BIN")")" img_etcd
image "$IMG_COREDNS" "$(fn_key img_coredns "$static_id" "$(fileid "$CC_CACHE/coredns-$COREDNS_VERSION/coredns")")" img_coredns
image "$IMG_PAUSE" "$(fn_key img_pause "$static_id" "$(fileid "$PAUSE_BIN")")" img_pause
docker image inspect "$IMG_PAUSE_KIND" >/dev/null 2>&1 || docker tag "$IMG_PAUSE" "$IMG_PAUSE_KIND"
image "$IMG_LPP" "$(fn_key img_lpp "$static_id" "$(fileid "$CC_CACHE/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION/local-path-provisioner")")" img_lpp
image "$IMG_CCNET" "$(fn_key img_ccnet "$netbase_id" "$(fileid "$CCNET_BIN" "$NETPOL_BIN")")" img_ccnet
image "$IMG_BASE" "$(fn_key img_base "$base_id" "$KIND_VERSION" "$(fileid "$CC_CACHE/crictl-$CRICTL_VERSION/crictl")" "$(cat "$CC_REPO/hack/kind/base.Dockerfile")")" img_base

NODE_IMAGES=("$IMG_APISERVER" "$IMG_CM" "$IMG_SCHED" "$IMG_PROXY" "$IMG_ETCD" "$IMG_COREDNS" "$IMG_PAUSE" "$IMG_PAUSE_KIND"
  "$IMG_CCNET" "$IMG_LPP" "$IMG_HELPER")
export CC_NODE_IMAGES="${NODE_IMAGES[*]}"
ids=$(for i in "$IMG_BASE" "${NODE_IMAGES[@]}"; do echo "$i $(imgid "$i")"; done)
node_key=$(fn_key img_node "$ids" "$(fileid "$K8S_BIN")" "$(cat "$CC_REPO"/hack/kind/manifests/*.yaml)")
image "$IMG_NODE" "$node_key" img_node
