// Elastic sharding in real pods: the sample switched to rebalance mode Auto with a small shard capacity reads
// per-shard write rates from the in-cluster Prometheus, grows from 2 to 3 shards (a real MariaDB pod), registers
// the new shard with the platform and moves a hot room onto it while clients keep sending; every acknowledged
// message is stored once, in order. Runs on the sample itself (shards never shrink), then back to DryRun.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, http, INTACT, type Json, Sender, signUpWithRoom, tallyAll } from "../testing/chat.js";
import { BASE, kindAvailable, kubectl, kubectlJson, waitAllReady, waitFor } from "./kind.js";

const ADDR = clientAddress(); // sign-ups count per client address
const NS = "default";
const CLUSTER = "chat";
const id = randomBytes(3).toString("hex");
const senders: { sender: Sender; token: string }[] = [];
const patch = (spec: unknown) =>
  kubectl("-n", NS, "patch", "chatcluster", CLUSTER, "--type", "merge", "-p", JSON.stringify({ spec }));

beforeAll(async () => {
  if (!kindAvailable()) throw new Error("no kind cluster: run hack/kind-up.sh && hack/kind-deploy.sh");
  await waitAllReady(NS, CLUSTER);
});
afterAll(async () => {
  for (const s of senders) await s.sender.stop();
  await patch({ sharding: { rebalance: { mode: "DryRun" } } }).catch(() => {});
});

describe("elastic sharding on kind", () => {
  it("Auto: one more shard (2 → 3 on a fresh sample) and a hot room moved onto it while clients chat; nothing lost", async () => {
    const before = await kubectlJson("-n", NS, "get", "chatcluster", CLUSTER);
    const startShards: number = before.status?.rebalance?.desiredShards ?? before.spec.mysql.shards;
    const newShard = startShards; // the next StatefulSet index
    const secret = await kubectlJson("-n", NS, "get", "secret", `${CLUSTER}-credentials`);
    const admin = Buffer.from(secret.data["admin-token"], "base64").toString();

    // maxShards 3 bounds the growth to one shard whatever rate this machine reaches; the platform rolls once.
    await patch({ mysql: { maxShards: startShards + 1 } });
    await waitFor(
      "the platform rolled to the new spare list",
      async () => {
        const list = await kubectlJson("-n", NS, "get", "deploy", "-l", "chat.chatcluster.io/platform=true");
        return list.items.every(
          (d: Json) =>
            d.status.observedGeneration === d.metadata.generation &&
            d.status.updatedReplicas === d.status.replicas &&
            (d.status.unavailableReplicas ?? 0) === 0,
        );
      },
      300_000,
      2_000,
    );
    await waitAllReady(NS, CLUSTER);

    // Eight rooms: placement alternates between the two shards, so four share each.
    const rooms: { roomId: number; token: string; shard: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const { token, roomId } = await signUpWithRoom(BASE, `scale${id}u${i}`, `scale ${id} ${i}`, ADDR);
      const dir = await http(BASE, "GET", `/admin/rooms/${roomId}`, admin);
      rooms.push({ roomId, token, shard: dir.body.shardId });
    }
    const hotShard = rooms[0]!.shard;
    const hot = rooms.filter((r) => r.shard === hotShard).slice(0, 4);
    const cool = rooms.filter((r) => r.shard !== hotShard).slice(0, 1);
    expect(hot.length).toBeGreaterThanOrEqual(3);
    for (const r of hot)
      senders.push({ sender: new Sender(BASE, r.token, r.roomId, 5, 60_000), token: r.token });
    for (const r of cool)
      senders.push({ sender: new Sender(BASE, r.token, r.roomId, 1, 60_000), token: r.token });

    // 10 writes/s is a full shard: the hot one runs well above it, the fleet above 30 %: add a shard, then
    // move the hottest room there.
    const t0 = Date.now();
    await patch({
      sharding: {
        rebalance: {
          mode: "Auto",
          prometheus: {
            url: "http://prometheus-operated.monitoring.svc.cluster.local:9090",
            selector: 'job="chatcluster"',
            window: "30s",
          },
          interval: "5s",
          cooldown: "20s",
          shardCapacityWritesPerSecond: 10,
          addShardThresholdPercent: 30,
          moveThresholdPercent: 50,
          hysteresisPercent: 5,
          maxConcurrentMoves: 1,
        },
      },
    });
    const failFast = () => {
      const e = senders.find((s) => s.sender.error);
      if (e) throw new Error(e.sender.error);
    };
    const status = async () => (await kubectlJson("-n", NS, "get", "chatcluster", CLUSTER)).status ?? {};
    await waitFor(
      `shard ${newShard} registered`,
      async () => {
        failFast();
        const s = await status();
        return s.shards?.find((x: Json) => x.index === newShard)?.state === "Registered";
      },
      360_000,
      2_000,
    );
    const shardSeconds = (Date.now() - t0) / 1000;
    const pod = await kubectlJson("-n", NS, "get", "pod", `${CLUSTER}-shard-${newShard}-0`);
    expect(pod.status.phase).toBe("Running");
    const moved = await waitFor(
      `a move onto shard ${newShard} Done`,
      async () => {
        failFast();
        const moves: Json[] = (await status()).rebalance?.moves ?? [];
        const failed = moves.find((m) => m.state === "Failed" || m.state === "Aborted");
        if (failed) throw new Error(`move failed: ${JSON.stringify(failed)}`);
        return moves.find((m) => m.toShard === newShard && m.state === "Done");
      },
      300_000,
      2_000,
    );
    const moveSeconds = (Date.now() - t0) / 1000;
    expect(hot.map((r) => String(r.roomId))).toContain(String(moved.roomId));
    const dir = await http(BASE, "GET", `/admin/rooms/${moved.roomId}`, admin);
    expect(dir.body).toMatchObject({ shardId: newShard, state: "active" });

    for (const s of senders) await s.sender.stop();
    failFast();
    const { rooms: tallied, totals } = await tallyAll(BASE, senders);
    for (const r of tallied) expect(r, `room ${r.roomId}`).toMatchObject(INTACT);
    console.log(
      JSON.stringify({
        scale: {
          shardRegisteredSeconds: shardSeconds,
          moveDoneSeconds: moveSeconds,
          writePauseMillis: moved.writePauseMillis,
        },
        totals,
      }),
    );
  });
});
