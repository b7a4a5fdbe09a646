// The credentials Secret: generated once, never overwritten, never logged. It has no owner reference
// (GC would delete it with the ChatCluster even under deletionPolicy: Retain, leaving retained volumes
// unreadable); the finalizer deletes it under deletionPolicy: Delete.
import { randomBytes } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import type { ChatCluster } from "../api/index.js";
import { labels, names } from "./common.js";

export const CREDENTIAL_KEYS = {
  mysqlRootPassword: "mysql-root-password",
  mysqlPassword: "mysql-password",
  jwtSigningKey: "jwt-signing-key",
  adminToken: "admin-token",
  redisPassword: "redis-password",
  kafkaClusterId: "kafka-cluster-id",
} as const;

export type RandomBytes = (n: number) => Buffer;

/** KRaft cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters). */
export function kafkaClusterId(rand: RandomBytes): string {
  return rand(16).toString("base64url");
}

export function buildCredentialsSecret(cc: ChatCluster, rand: RandomBytes = randomBytes): V1Secret {
  // base64url (A-Z a-z 0-9 - _) is URL-safe: the platform's env embeds the MySQL and Redis passwords in
  // mysql:// and redis:// URLs through `$(VAR)` expansion, unescaped. Never switch to plain base64.
  const token = (n: number) => rand(n).toString("base64url");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: names.credentials(cc.metadata.name ?? ""),
      namespace: cc.metadata.namespace ?? "default",
      labels: labels(cc, "config"),
    },
    type: "Opaque",
    stringData: {
      [CREDENTIAL_KEYS.mysqlRootPassword]: token(24),
      [CREDENTIAL_KEYS.mysqlPassword]: token(24),
      [CREDENTIAL_KEYS.jwtSigningKey]: token(48),
      [CREDENTIAL_KEYS.adminToken]: token(32),
      [CREDENTIAL_KEYS.redisPassword]: token(24),
      [CREDENTIAL_KEYS.kafkaClusterId]: kafkaClusterId(rand),
    },
  };
}
