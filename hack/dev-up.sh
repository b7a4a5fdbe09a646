#!/usr/bin/env bash
# `make dev-up`: the fast inner loop on processes (no containers): install what is missing (cached), start the data plane and the
# control plane (kwok nodes) and the chat platform beside it, print what runs where. `make up` runs it all in kind instead.
source "$(dirname "$0")/lib/common.sh"
t0=$(cc_now)
echo "ChatCluster: setting up (first run builds Kubernetes from source: ~15-25 min; later runs: seconds)"
"$CC_REPO/hack/install-npm.sh"
"$CC_REPO/hack/install-dataplane.sh"
"$CC_REPO/hack/install-controlplane.sh"
echo "ChatCluster: starting the local data plane"
"$CC_REPO/hack/infra-up.sh"
echo "ChatCluster: starting the local control plane"
"$CC_REPO/hack/cluster-up.sh"
echo "ChatCluster: installing the CRD, starting the operator, applying samples/chatcluster.yaml"
"$CC_REPO/operator/scripts/operator-up.sh"
echo "ChatCluster: starting the chat platform (monolith mode)"
# The gateway serves the web client from web/dist: build it when missing (make up builds it into the image).
[[ -f "$CC_REPO/web/dist/index.html" ]] || cc_step "web client (vite build)" "$CC_LOGS/web-build.log" "npm run build -w web" npm run build -w web
"$CC_REPO/services/scripts/platform-up.sh"
echo
echo "ChatCluster is up in $(($(cc_now) - t0))s."
echo "  platform:    http://127.0.0.1:$CC_CHAT_PORT   (walkthrough: samples/walkthrough.md)"
echo "  endpoints:   $CC_RUN/infra.env"
echo "  kubeconfig:  export KUBECONFIG=$CC_RUN/kubeconfig; $CC_BIN/kubectl get nodes"
echo "  logs:        $CC_LOGS/"
echo "  stop:        make dev-down"
