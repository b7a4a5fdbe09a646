import { describe, expect, it } from "vitest";
import { reconcile } from "../controller/reconcile.js";
import { PHASES } from "../reconcile/index.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { desiredObjects } from "./index.js";

describe("desiredObjects", () => {
  for (const spec of [
    {},
    {
      mysql: { shards: 5 },
      kafka: { managed: { replicas: 3 } },
      roles: { gateway: { autoscaling: { enabled: true } } },
    },
    {
      kafka: { external: { bootstrapServers: ["k:9092"] } },
      redis: { external: { host: "r" } },
      networkPolicy: { enabled: false },
    },
  ]) {
    it(`matches what the reconcile creates for ${JSON.stringify(spec)}`, async () => {
      const fake = new FakeKube();
      const cc = fake.seed(newChatCluster(spec) as never);
      await reconcile(cc as never, deps(fake), PHASES);
      const created = fake
        .kinds()
        .filter((k) => !k.startsWith("ChatCluster/") && !k.startsWith("Secret/"))
        .sort();
      const want = desiredObjects(newChatCluster(spec))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort();
      expect(created).toEqual(want);
    });
  }
});
