import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { secretsPhase } from "./secrets.js";

describe("secrets phase", () => {
  it("creates the credentials once and never overwrites them", async () => {
    const fake = new FakeKube();
    const d = deps(fake);
    await secretsPhase.run(new ReconcileContext(newChatCluster(), d));
    const first = fake.get("v1", "Secret", "ns", "chat-credentials") as unknown as {
      data: Record<string, string>;
    };
    expect(Object.keys(first.data)).toHaveLength(6);
    expect(d.recorder.events.map((e) => e.reason)).toEqual(["SecretCreated"]);
    // the event never carries a secret value
    for (const v of Object.values(first.data)) {
      expect(d.recorder.events[0]?.message).not.toContain(Buffer.from(v, "base64").toString());
    }
    fake.resetWrites();
    await secretsPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.writes).toEqual([]);
    expect(fake.get("v1", "Secret", "ns", "chat-credentials")).toEqual(first);
  });

  it("reports a missing external Secret as a problem", async () => {
    const fake = new FakeKube();
    const ctx = new ReconcileContext(
      newChatCluster({ redis: { external: { host: "r", passwordSecretRef: { name: "nope" } } } }),
      deps(fake),
    );
    const res = await secretsPhase.run(ctx);
    expect(res.kind).toBe("continue");
    expect(ctx.problems).toEqual([
      { reason: "MissingSecret", message: "Secret nope referenced by the spec does not exist" },
    ]);
  });

  it("does not regenerate credentials deleted after provisioning: Degraded instead", async () => {
    const fake = new FakeKube();
    const cc = newChatCluster();
    cc.status = { credentialsSecret: "chat-credentials" };
    const d = deps(fake);
    const ctx = new ReconcileContext(cc, d);
    await secretsPhase.run(ctx);
    expect(fake.writes).toEqual([]);
    expect(ctx.problems[0]?.reason).toBe("MissingSecret");
    expect(d.recorder.events[0]).toMatchObject({ type: "Warning", reason: "MissingSecret" });
  });
});
