import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpKubeClient } from "./client.js";
import { ApiError, HttpKube, type WatchEvent } from "./http.js";

// A tiny stand-in API server: enough to check paths, content types, error mapping and watch framing.
const seen: {
  method?: string;
  url?: string;
  type?: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}[] = [];
let server: http.Server;
let kube: HttpKube;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers["content-type"],
        body,
        headers: req.headers,
      });
      if (req.url?.startsWith("/api/v1/namespaces/n/configmaps/missing")) {
        res.statusCode = 404;
        res.end(
          JSON.stringify({ kind: "Status", reason: "NotFound", message: 'configmaps "missing" not found' }),
        );
      } else if (req.url?.includes("watch=1")) {
        // events split across chunks at awkward places
        const lines = `${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "5" } } })}\n${JSON.stringify({ type: "ERROR", object: { code: 410 } })}\n`;
        res.write(lines.slice(0, 10));
        setTimeout(() => {
          res.write(lines.slice(10, 70));
          res.end(lines.slice(70));
        }, 5);
      } else {
        res.end(
          JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "x", resourceVersion: "9" },
          }),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "c",
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  kube = new HttpKube(kc, { "Impersonate-User": "someone" });
});
afterAll(() => {
  kube.close();
  server.close();
});

describe("HttpKube / HttpKubeClient", () => {
  it("server-side apply: PATCH with the apply content type, field manager and force; writes are counted", async () => {
    const writes: string[] = [];
    const client = new HttpKubeClient(kube, (verb, kind) => writes.push(`${verb} ${kind}`));
    await client.apply({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "s", namespace: "n", resourceVersion: "1", managedFields: [] },
    });
    const r = seen.at(-1);
    expect(r?.method).toBe("PATCH");
    expect(r?.url).toBe(
      "/apis/apps/v1/namespaces/n/statefulsets/s?fieldManager=chatcluster-operator&force=true",
    );
    expect(r?.type).toBe("application/apply-patch+yaml");
    expect(JSON.parse(r?.body ?? "{}").metadata).toEqual({ name: "s", namespace: "n" });
    expect(r?.headers.authorization).toBe("Bearer t0ken");
    expect(r?.headers["impersonate-user"]).toBe("someone");
    expect(writes).toEqual(["apply StatefulSet"]);
  });

  it("status merge patch goes to the subresource", async () => {
    const client = new HttpKubeClient(kube);
    await client.mergePatch(
      { apiVersion: "chat.chatcluster.io/v1alpha1", kind: "ChatCluster", namespace: "n", name: "c" },
      { status: { phase: "Ready" } },
      "status",
    );
    expect(seen.at(-1)?.url).toBe(
      "/apis/chat.chatcluster.io/v1alpha1/namespaces/n/chatclusters/c/status?fieldManager=chatcluster-operator",
    );
    expect(seen.at(-1)?.type).toBe("application/merge-patch+json");
  });

  it("maps errors to ApiError; get returns undefined on 404", async () => {
    const client = new HttpKubeClient(kube);
    expect(
      await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "n", name: "missing" }),
    ).toBeUndefined();
    const err = await kube.request("GET", "/api/v1/namespaces/n/configmaps/missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(404);
    expect((err as ApiError).reason).toBe("NotFound");
  });

  it("watch reassembles events split across chunks", async () => {
    const events: WatchEvent[] = [];
    await kube.watch("/api/v1/configmaps", { resourceVersion: "1" }, (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(["ADDED", "ERROR"]);
    expect(seen.at(-1)?.url).toBe("/api/v1/configmaps?resourceVersion=1&watch=1");
  });
});
