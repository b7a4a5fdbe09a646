#!/usr/bin/env bash
# `make up`: the real thing. Installs what is missing (cached), starts the project's container engine,
# builds every image offline, creates the kind cluster, installs the operator with its Helm chart and an
# in-cluster Prometheus, applies samples/chatcluster.yaml, waits until it is Ready and puts the platform on
# http://127.0.0.1:18080. A second run keeps what is already right (seconds to a minute).
source "$(dirname "$0")/lib/common.sh"
t0=$(cc_now)
echo "ChatCluster: setting up (the first run builds Kubernetes, the kind node and every image: ~40-60 min; later runs: about a minute)"
"$CC_REPO/hack/install-npm.sh"
"$CC_REPO/hack/install-dataplane.sh"
"$CC_REPO/hack/install-controlplane.sh"
echo "ChatCluster: container engine and images"
"$CC_REPO/hack/engine-up.sh"
"$CC_REPO/hack/build-base-images.sh"
echo "ChatCluster: kind cluster"
"$CC_REPO/hack/kind-up.sh"
echo "ChatCluster: operator, Prometheus, samples/chatcluster.yaml"
"$CC_REPO/hack/kind-deploy.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
gateway=$(cc_kind_published 30080)
prometheus=$(cc_kind_published 30090)
echo
cc_kubectl get chatclusters
cc_kubectl get pods -o wide
echo
echo "ChatCluster is up in $(($(cc_now) - t0))s, in real pods on kind."
echo "  platform:    http://$gateway   (web client at /, walkthrough: samples/walkthrough.md)"
echo "  prometheus:  http://$prometheus"
echo "  kubeconfig:  export KUBECONFIG=$CC_KIND_KUBECONFIG; $CC_BIN/kubectl get chatclusters"
echo "  logs:        $CC_LOGS/"
echo "  stop:        make down      (the process-based inner loop is make dev-up / make dev-down)"
