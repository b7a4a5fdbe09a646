// Loads the kubeconfig: $KUBECONFIG / --kubeconfig, else in-cluster (service account), else ~/.kube/config.
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  const file = path ?? process.env.KUBECONFIG;
  if (file) kc.loadFromFile(file);
  else if (existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
