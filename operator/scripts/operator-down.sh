#!/usr/bin/env bash
# Stops the operator started by operator-up.sh. The ChatCluster objects stay in the control plane's etcd.
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
cc_stop chatcluster-operator
