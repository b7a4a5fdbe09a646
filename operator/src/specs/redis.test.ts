import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildRedisService, buildRedisStatefulSet, redisEndpoint } from "./redis.js";

describe("Redis builders", () => {
  it("persistent by default: append-only file on a PVC", () => {
    const sts = buildRedisStatefulSet(newChatCluster());
    expect(sts.spec?.template.spec?.containers[0]?.args).toEqual([
      "--requirepass",
      "$(REDIS_PASSWORD)",
      "--appendonly",
      "yes",
    ]);
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("1Gi");
    expect(sts.spec?.template.spec?.volumes).toBeUndefined();
  });

  it("without persistence: emptyDir and no snapshots", () => {
    const sts = buildRedisStatefulSet(newChatCluster({ redis: { managed: { persistence: false } } }));
    expect(sts.spec?.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec?.template.spec?.volumes).toEqual([{ name: "data", emptyDir: {} }]);
    expect(sts.spec?.template.spec?.containers[0]?.args).toContain("--save");
  });

  it("endpoint: the Service when managed, host:port when external", () => {
    expect(buildRedisService(newChatCluster()).spec?.ports?.[0]?.port).toBe(6379);
    expect(redisEndpoint(newChatCluster())).toBe("chat-redis.ns.svc:6379");
    expect(redisEndpoint(newChatCluster({ redis: { external: { host: "r.example", port: 6380 } } }))).toBe(
      "r.example:6380",
    );
  });
});
