// Rolling upgrade in real pods: spec.version moves the platform to a second image tag while clients keep
// sending; every message is acknowledged (retried by clientMsgId through the edge at most) and stored once,
// in order. Then back to the sample's version.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, INTACT, Sender, signUpWithRoom, tallyAll } from "../testing/chat.js";
import { BASE, docker, kindAvailable, kubectl, kubectlJson, REPO, waitAllReady, waitFor } from "./kind.js";

const ADDR = clientAddress(); // sign-ups count per client address
const run = promisify(execFile);
const NS = "default";
const CLUSTER = "chat";
const id = randomBytes(3).toString("hex");
const FROM = "0.1.0";
const TO = "0.1.0-upgrade";
const senders: { sender: Sender; token: string }[] = [];

beforeAll(async () => {
  if (!kindAvailable()) throw new Error("no kind cluster: run hack/kind-up.sh && hack/kind-deploy.sh");
  await waitAllReady(NS, CLUSTER);
  // The second tag is the same build under another name: what changes is the pod template, as in a release.
  await docker("tag", `ghcr.io/chatcluster/platform:${FROM}`, `ghcr.io/chatcluster/platform:${TO}`);
  await run(resolve(REPO, "hack/kind-load.sh"), [`ghcr.io/chatcluster/platform:${TO}`]);
});
afterAll(async () => {
  for (const s of senders) await s.sender.stop();
});

async function rollTo(version: string) {
  await kubectl(
    "-n",
    NS,
    "patch",
    "chatcluster",
    CLUSTER,
    "--type",
    "merge",
    "-p",
    JSON.stringify({ spec: { version } }),
  );
  await waitFor(
    `every platform Deployment on ${version}, rolled out`,
    async () => {
      const list = await kubectlJson("-n", NS, "get", "deploy", "-l", "chat.chatcluster.io/platform=true");
      return list.items.every(
        (d: {
          spec: { template: { spec: { containers: { image: string }[] } } };
          status: Record<string, number>;
        }) =>
          d.spec.template.spec.containers[0]!.image.endsWith(`:${version}`) &&
          d.status.updatedReplicas === d.status.replicas &&
          d.status.availableReplicas === d.status.replicas &&
          (d.status.unavailableReplicas ?? 0) === 0,
      );
    },
    300_000,
    2_000,
  );
  await waitAllReady(NS, CLUSTER);
}

describe("rolling upgrade under continuous sends", () => {
  it("spec.version to a second tag: zero failed sends, nothing lost or doubled", async () => {
    for (let i = 0; i < 3; i++) {
      const { token, roomId } = await signUpWithRoom(BASE, `upg${id}u${i}`, `upgrade ${id} ${i}`, ADDR);
      senders.push({ sender: new Sender(BASE, token, roomId, 5, 60_000), token });
    }
    const t0 = Date.now();
    await rollTo(TO);
    const rolloutSeconds = (Date.now() - t0) / 1000;
    for (const s of senders) await s.sender.stop();
    for (const { sender } of senders) expect(sender.error).toBeUndefined();
    const { rooms, totals } = await tallyAll(BASE, senders);
    for (const r of rooms) expect(r, `room ${r.roomId}`).toMatchObject(INTACT);
    expect(totals.acked).toBeGreaterThan(0);
    console.log(JSON.stringify({ upgrade: { from: FROM, to: TO, rolloutSeconds }, totals }));
    await rollTo(FROM);
  });
});
