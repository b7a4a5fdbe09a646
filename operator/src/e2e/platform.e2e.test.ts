// The README's sample in real pods on kind: every pod is a real container (containerd, not kwok) that
// passed its real probes, and chat works end to end through the edge: REST and socket.io, live delivery
// across two realtime pods (Redis adapter), history, search (Kafka → worker pod) and a mention notification.
import { randomBytes } from "node:crypto";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, http, type Json } from "../testing/chat.js";
import { BASE, clusterPods, kindAvailable, kubectlJson, portForward, waitFor } from "./kind.js";

const ADDR = clientAddress(); // sign-ups count per client address
const NS = "default";
const CLUSTER = "chat";
const id = randomBytes(3).toString("hex");
const sockets: Socket[] = [];
const forwards: { stop: () => void }[] = [];

async function register(name: string) {
  const r = await http(
    BASE,
    "POST",
    "/v1/auth/register",
    undefined,
    {
      username: `${name}${id}`,
      password: "correct horse battery staple",
    },
    ADDR,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { token: r.body.accessToken as string, userId: r.body.user?.id as number, username: `${name}${id}` };
}

function connectSocket(url: string, token: string): Promise<Socket> {
  const s = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
  sockets.push(s);
  return new Promise((res, rej) => {
    s.once("connect", () => res(s));
    s.once("connect_error", rej);
  });
}

beforeAll(() => {
  if (!kindAvailable()) throw new Error("no kind cluster: run hack/kind-up.sh && hack/kind-deploy.sh");
});
afterAll(() => {
  for (const s of sockets) s.close();
  for (const f of forwards) f.stop();
});

describe("the sample ChatCluster in real pods", () => {
  it("is Ready with every pod a running containerd container that passed its probes", async () => {
    const cc = await kubectlJson("-n", NS, "get", "chatcluster", CLUSTER);
    const ready = cc.status.conditions.find((c: { type: string }) => c.type === "Ready");
    expect(ready.status).toBe("True");
    const pods = await clusterPods(NS, CLUSTER);
    const names = pods.map((p) => p.name).sort();
    for (const want of ["chat-catalog-0", "chat-shard-0-0", "chat-shard-1-0", "chat-kafka-0", "chat-redis-0"])
      expect(names).toContain(want);
    expect(pods.filter((p) => p.labels["app.kubernetes.io/component"] === "gateway").length).toBe(2);
    expect(
      pods.filter((p) => p.labels["app.kubernetes.io/component"] === "realtime").length,
    ).toBeGreaterThanOrEqual(2);
    for (const p of pods) expect(p, p.name).toMatchObject({ phase: "Running", ready: true });
    const nodes = await kubectlJson("get", "nodes");
    for (const n of nodes.items) {
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
      expect(n.metadata.annotations?.["kwok.x-k8s.io/node"]).toBeUndefined();
    }
    // Real containers with real container ids, started by the kubelet.
    const list = await kubectlJson("-n", NS, "get", "pods", "-l", `app.kubernetes.io/instance=${CLUSTER}`);
    for (const p of list.items as Json[]) {
      for (const c of p.status.containerStatuses) {
        expect(c.containerID, `${p.metadata.name}/${c.name}`).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
        expect(c.state.running?.startedAt).toBeTruthy();
      }
      // Pod Security `restricted` essentials on every pod the operator creates.
      expect(p.spec.securityContext.runAsNonRoot, p.metadata.name).toBe(true);
      expect(p.spec.securityContext.seccompProfile?.type).toBe("RuntimeDefault");
      expect(p.spec.automountServiceAccountToken).toBe(false);
      expect(p.spec.serviceAccountName).not.toBe("default");
    }
  });

  it("chats through the edge: REST and socket.io, live on a second realtime pod, history, search, mention", async () => {
    const alice = await register("alice");
    const bob = await register("bob");
    const room = await http(BASE, "POST", "/v1/rooms", alice.token, { kind: "public", name: `kind ${id}` });
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    const roomId = room.body.id as number;
    expect((await http(BASE, "POST", `/v1/rooms/${roomId}/join`, bob.token)).status).toBeLessThan(300);

    // One socket on each realtime pod (port-forwards to the pods themselves, not the Service).
    const realtime = (await clusterPods(NS, CLUSTER))
      .filter((p) => p.labels["app.kubernetes.io/component"] === "realtime")
      .slice(0, 2);
    expect(realtime.length).toBe(2);
    const [fa, fb] = await Promise.all(realtime.map((p) => portForward(NS, p.name, 8080)));
    forwards.push(fa!, fb!);
    const sa = await connectSocket(`http://127.0.0.1:${fa!.port}`, alice.token);
    const sb = await connectSocket(`http://127.0.0.1:${fb!.port}`, bob.token);
    for (const s of [sa, sb]) {
      const sub = await s.emitWithAck("room:subscribe", { roomId });
      expect(sub.ok, JSON.stringify(sub)).toBe(true);
    }
    const live: Json[] = [];
    sb.on("message:created", (m: Json) => live.push(m));

    // REST send, then socket send from the other pod; both reach Bob live on his pod.
    const word = `kindsearch${id}`;
    const viaRest = await http(BASE, "POST", `/v1/rooms/${roomId}/messages`, alice.token, {
      body: `hello over REST ${word}`,
      clientMsgId: `rest-${id}`,
    });
    expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(201);
    const viaSocket = await sa.emitWithAck("message:send", {
      roomId,
      body: `hi @${bob.username} over socket.io`,
      clientMsgId: `sock-${id}`,
    });
    expect(viaSocket.ok, JSON.stringify(viaSocket)).toBe(true);
    await waitFor("both messages live on the second realtime pod", async () => live.length >= 2, 15_000, 100);
    expect(live.map((m) => m.seq)).toEqual([1, 2]);

    const history = await http(BASE, "GET", `/v1/rooms/${roomId}/messages?after=0&limit=50`, bob.token);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: Json) => m.clientMsgId)).toEqual([`rest-${id}`, `sock-${id}`]);

    // Search and notifications come through Kafka and the worker pod.
    const hit = await waitFor(
      "the message in search",
      async () => {
        const r = await http(BASE, "GET", `/v1/search?q=${word}`, bob.token);
        return r.status === 200 && r.body.results.length > 0 ? r.body.results[0] : undefined;
      },
      60_000,
    );
    expect(hit).toMatchObject({ roomId, seq: 1 });
    const note = await waitFor(
      "Bob's mention notification",
      async () => {
        const r = await http(BASE, "GET", "/v1/notifications", bob.token);
        return r.status === 200 ? r.body.notifications.find((n: Json) => n.roomId === roomId) : undefined;
      },
      60_000,
    );
    expect(note).toMatchObject({ kind: "mention", seq: 2 });
  });
});
