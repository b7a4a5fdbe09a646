import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildCredentialsSecret, CREDENTIAL_KEYS, kafkaClusterId } from "./secrets.js";

describe("buildCredentialsSecret", () => {
  it("generates every credential with the injected randomness, and no owner reference", () => {
    let n = 0;
    const rand = (k: number) => Buffer.alloc(k, ++n);
    const s = buildCredentialsSecret(newChatCluster(), rand);
    expect(s.metadata?.name).toBe("chat-credentials");
    expect(s.metadata?.ownerReferences).toBeUndefined();
    expect(Object.keys(s.stringData ?? {}).sort()).toEqual(Object.values(CREDENTIAL_KEYS).sort());
    const values = Object.values(s.stringData ?? {});
    expect(new Set(values).size).toBe(values.length);
    expect(s.stringData?.[CREDENTIAL_KEYS.jwtSigningKey]?.length).toBe(64);
  });

  it("differs between calls with real randomness", () => {
    const a = buildCredentialsSecret(newChatCluster());
    const b = buildCredentialsSecret(newChatCluster());
    expect(a.stringData?.[CREDENTIAL_KEYS.adminToken]).not.toBe(b.stringData?.[CREDENTIAL_KEYS.adminToken]);
  });

  it("generates URL-safe values (the platform's MySQL/Redis URLs embed the passwords as is)", () => {
    const s = buildCredentialsSecret(newChatCluster(), (k) => Buffer.alloc(k, 0xfb));
    for (const v of Object.values(s.stringData ?? {})) expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const v of Object.values(buildCredentialsSecret(newChatCluster()).stringData ?? {})) {
      expect(encodeURIComponent(v)).toBe(v);
    }
  });

  it("makes KRaft cluster ids of 22 URL-safe characters", () => {
    expect(kafkaClusterId((k) => Buffer.alloc(k, 255))).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
