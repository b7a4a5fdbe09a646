import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildRedisService, buildRedisStatefulSet, redisEndpoint, renderRedisConf } from "./redis.js";

describe("Redis builders", () => {
  it("persistent by default: append-only file on a PVC", () => {
    const cc = newChatCluster();
    const sts = buildRedisStatefulSet(cc);
    expect(renderRedisConf(cc)).toContain("appendonly yes\n");
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("1Gi");
    expect(sts.spec?.template.spec?.volumes?.map((v) => v.name)).toEqual(["config", "auth"]);
  });

  it("runs redis-server with its config file: the password is never on a command line", () => {
    const cc = newChatCluster();
    const pod = buildRedisStatefulSet(cc).spec?.template.spec;
    const main = pod?.containers[0];
    expect(main?.command).toEqual(["redis-server", "/etc/redis/chatcluster/redis.conf"]);
    expect(main?.args).toBeUndefined();
    expect(JSON.stringify(pod)).not.toContain("requirepass $(");
    expect(renderRedisConf(cc)).toContain("include /run/redis/auth.conf\n");
    // The included file lives on a memory volume.
    expect(pod?.volumes?.find((v) => v.name === "auth")?.emptyDir?.medium).toBe("Memory");
  });

  it("without persistence: emptyDir and no snapshots", () => {
    const sts = buildRedisStatefulSet(newChatCluster({ redis: { managed: { persistence: false } } }));
    expect(sts.spec?.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec?.template.spec?.volumes?.find((v) => v.name === "data")).toEqual({
      name: "data",
      emptyDir: {},
    });
    expect(renderRedisConf(newChatCluster({ redis: { managed: { persistence: false } } }))).toContain(
      'save ""\n',
    );
  });

  it("endpoint: the Service when managed, host:port when external", () => {
    expect(buildRedisService(newChatCluster()).spec?.ports?.[0]?.port).toBe(6379);
    expect(redisEndpoint(newChatCluster())).toBe("chat-redis.ns.svc.cluster.local:6379");
    expect(redisEndpoint(newChatCluster({ redis: { external: { host: "r.example", port: 6380 } } }))).toBe(
      "r.example:6380",
    );
  });
});
