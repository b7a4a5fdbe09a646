// Command k8s is one multi-call binary for the local control plane: the shared
// Kubernetes code compiles once instead of four times. The role is taken from
// the first argument (or from argv[0] when invoked through a symlink).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func commandFor(role string) *cobra.Command {
	switch role {
	case "kube-apiserver":
		return apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		return controllermanager.NewControllerManagerCommand()
	case "kube-scheduler":
		return scheduler.NewSchedulerCommand()
	case "kubectl":
		return kubectl.NewDefaultKubectlCommand()
	}
	return nil
}

func main() {
	role := filepath.Base(os.Args[0])
	cmd := commandFor(role)
	if cmd == nil && len(os.Args) > 1 {
		role = os.Args[1]
		cmd = commandFor(role)
		os.Args = append([]string{role}, os.Args[2:]...)
	}
	if cmd == nil {
		fmt.Fprintln(os.Stderr, "usage: k8s {kube-apiserver|kube-controller-manager|kube-scheduler|kubectl} [flags]")
		os.Exit(2)
	}
	cmd.SetArgs(os.Args[1:])
	os.Exit(cli.Run(cmd))
}
