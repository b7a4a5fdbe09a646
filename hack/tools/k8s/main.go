// Command k8s is one multi-call binary for the local control plane: the shared
// Kubernetes code compiles once instead of four times. The role is taken from
// the first argument (or from argv[0] when invoked through a symlink).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubeadm "k8s.io/kubernetes/cmd/kubeadm/app"
	kubeadmerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// roles lists every program the binary can be; the node image and the control-plane
// images link each name to this one file.
var roles = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "kubelet", "kubeadm", "kubectl"}

func commandFor(role string) *cobra.Command {
	switch role {
	case "kube-apiserver":
		return apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		return controllermanager.NewControllerManagerCommand()
	case "kube-scheduler":
		return scheduler.NewSchedulerCommand()
	case "kube-proxy":
		return proxy.NewProxyCommand()
	case "kubelet":
		return kubelet.NewKubeletCommand(context.Background())
	case "kubectl":
		return kubectl.NewDefaultKubectlCommand()
	}
	return nil
}

func main() {
	role := filepath.Base(os.Args[0])
	if !known(role) && len(os.Args) > 1 && known(os.Args[1]) {
		role = os.Args[1]
		os.Args = append([]string{role}, os.Args[2:]...)
	}
	if role == "kubeadm" {
		// kubeadm's own main sets up its flags and error codes; it reads os.Args itself.
		kubeadmerrors.HandleError(kubeadm.Run())
		return
	}
	cmd := commandFor(role)
	if cmd == nil {
		fmt.Fprintf(os.Stderr, "usage: k8s {%s} [flags]\n", strings.Join(roles, "|"))
		os.Exit(2)
	}
	cmd.SetArgs(os.Args[1:])
	os.Exit(cli.Run(cmd))
}

func known(role string) bool { return slices.Contains(roles, role) }
