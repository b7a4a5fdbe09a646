// ccnet is the kind cluster's pod network agent (one per node, hostNetwork), in place of kind's
// kindnetd, which is not available from the Go module proxy. It does what kindnetd does for a
// single flat L2 network (all kind nodes sit on one docker bridge):
//
//   - writes /etc/cni/net.d/10-ccnet.conflist for this node's spec.podCIDR (ptp, host-local
//     and portmap, the plugins the node image ships), which is what makes the kubelet report Ready;
//   - keeps one route per other node: its podCIDR via its InternalIP;
//   - masquerades pod traffic that leaves the pod network (so pods reach the nodes' network).
//
// NetworkPolicy is enforced by a second container of the same DaemonSet (kube-network-policies).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

const (
	cniDir      = "/etc/cni/net.d"
	cniFile     = "10-ccnet.conflist"
	masqChain   = "CCNET-MASQ"
	routeProto  = "static"
	resyncEvery = 30 * time.Second
)

func main() {
	klog.InitFlags(nil)
	nodeName := os.Getenv("NODE_NAME")
	podSubnet := os.Getenv("POD_SUBNET")
	if nodeName == "" || podSubnet == "" {
		klog.Fatal("NODE_NAME and POD_SUBNET must be set")
	}
	_, clusterNet, err := net.ParseCIDR(podSubnet)
	if err != nil {
		klog.Fatalf("POD_SUBNET %q: %v", podSubnet, err)
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatalf("in-cluster config: %v", err)
	}
	// kind passes the API server's node address so the agent needs no kube-proxy to start.
	if ep := os.Getenv("CONTROL_PLANE_ENDPOINT"); ep != "" {
		cfg.Host = "https://" + ep
	}
	client := kubernetes.NewForConfigOrDie(cfg)

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, resyncEvery)
	nodes := factory.Core().V1().Nodes()
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	klog.Infof("ccnet on node %s, pod network %s", nodeName, clusterNet)

	ticker := time.NewTicker(resyncEvery)
	defer ticker.Stop()
	poke()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-ticker.C:
		}
		list, err := nodes.Lister().List(labels.Everything())
		if err != nil {
			klog.Errorf("list nodes: %v", err)
			continue
		}
		if err := reconcile(nodeName, clusterNet, list); err != nil {
			klog.Errorf("reconcile: %v", err)
		}
	}
}

func internalIP(n *corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
			return a.Address
		}
	}
	return ""
}

func reconcile(self string, clusterNet *net.IPNet, list []*corev1.Node) error {
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	var errs []string
	for _, n := range list {
		cidr, ip := n.Spec.PodCIDR, internalIP(n)
		if cidr == "" {
			continue
		}
		if n.Name == self {
			if err := writeCNIConfig(cidr); err != nil {
				errs = append(errs, err.Error())
			}
			continue
		}
		if ip == "" {
			continue
		}
		if err := run("ip", "route", "replace", cidr, "via", ip, "proto", routeProto); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if err := ensureMasquerade(clusterNet); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func writeCNIConfig(podCIDR string) error {
	conf := map[string]any{
		"cniVersion": "0.4.0",
		"name":       "ccnet",
		"plugins": []any{
			map[string]any{
				"type":   "ptp",
				"ipMasq": false,
				"mtu":    1500,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": "/run/cni-ipam-state",
					"routes":  []any{map[string]any{"dst": "0.0.0.0/0"}},
					"ranges":  []any{[]any{map[string]any{"subnet": podCIDR}}},
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]any{"portMappings": true}},
		},
	}
	b, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(cniDir, cniFile)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	klog.Infof("writing %s for podCIDR %s", path, podCIDR)
	return os.Rename(tmp, path)
}

// ensureMasquerade: pod traffic to anything outside the pod network (nodes, the docker bridge)
// leaves with the node's address; pod-to-pod traffic keeps its source (NetworkPolicy sees it).
func ensureMasquerade(clusterNet *net.IPNet) error {
	_ = exec.Command("iptables", "-t", "nat", "-N", masqChain).Run() // exists already: fine
	rules := [][]string{
		{"-d", clusterNet.String(), "-j", "RETURN"},
		{"-m", "addrtype", "--dst-type", "LOCAL", "-j", "RETURN"},
		{"-j", "MASQUERADE"},
	}
	want := make([]string, 0, len(rules))
	for _, r := range rules {
		want = append(want, strings.Join(append([]string{"-A", masqChain}, r...), " "))
	}
	out, err := exec.Command("iptables", "-t", "nat", "-S", masqChain).Output()
	if err != nil {
		return fmt.Errorf("iptables -S %s: %v", masqChain, err)
	}
	var have []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(l, "-A ") {
			have = append(have, l)
		}
	}
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		if err := run("iptables", "-t", "nat", "-F", masqChain); err != nil {
			return err
		}
		for _, r := range rules {
			if err := run("iptables", append([]string{"-t", "nat", "-A", masqChain}, r...)...); err != nil {
				return err
			}
		}
	}
	jump := []string{"-t", "nat", "POSTROUTING", "-s", clusterNet.String(), "-m", "comment", "--comment", "ccnet masquerade", "-j", masqChain}
	check := append([]string{"-t", "nat", "-C"}, jump[2:]...)
	if exec.Command("iptables", check...).Run() != nil {
		return run("iptables", append([]string{"-t", "nat", "-A"}, jump[2:]...)...)
	}
	return nil
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
