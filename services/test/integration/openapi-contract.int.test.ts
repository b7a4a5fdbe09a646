// The OpenAPI document is the server's own truth (issue 14, defect 6): every status
// the server answers here is documented for its operation, and the document's limits
// on message bodies accept exactly what the server accepts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient, type HttpResult, registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let base: string;
let alice: TestUser;
let bob: TestUser;
let roomId: number;
// biome-ignore lint/suspicious/noExplicitAny: the document is inspected dynamically
let doc: any;

beforeAll(async () => {
  cluster = await createTestCluster();
  base = (await cluster.start()).url();
  [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "contract" })).body.id;
  doc = (await new HttpClient(base).get("/openapi.json")).body;
});
afterAll(() => cluster?.close());

/** Asserts that `res.status` is among the documented responses of the operation. */
function documented(method: string, path: string, res: HttpResult): void {
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} is documented`).toBeDefined();
  expect(Object.keys(op.responses), `${method} ${path} → ${res.status}`).toContain(String(res.status));
}

const bodySchema = (method: string, path: string) =>
  doc.paths[path][method].requestBody.content["application/json"].schema.properties.body;

/** What the document says about a string: JSON Schema counts code points; pattern is a search. */
function docAccepts(
  schema: { maxLength?: number; minLength?: number; pattern?: string },
  v: string,
): boolean {
  const n = [...v].length;
  if (schema.maxLength !== undefined && n > schema.maxLength) return false;
  if (schema.minLength !== undefined && n < schema.minLength) return false;
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(v)) return false;
  return true;
}

describe("OpenAPI document vs behaviour", () => {
  it("documents the 200 of a repeated clientMsgId and of an existing direct room", async () => {
    const path = "/v1/rooms/{roomId}/messages";
    const first = await alice.http.post(`/v1/rooms/${roomId}/messages`, { body: "hi", clientMsgId: "k-1" });
    const again = await alice.http.post(`/v1/rooms/${roomId}/messages`, { body: "hi", clientMsgId: "k-1" });
    expect([first.status, again.status]).toEqual([201, 200]);
    documented("post", path, first);
    documented("post", path, again);

    const dm1 = await alice.http.post("/v1/rooms/direct", { userId: bob.id });
    const dm2 = await alice.http.post("/v1/rooms/direct", { userId: bob.id });
    expect([dm1.status, dm2.status]).toEqual([201, 200]);
    documented("post", "/v1/rooms/direct", dm1);
    documented("post", "/v1/rooms/direct", dm2);
  });

  it("message body limits: the document accepts exactly what the server accepts", async () => {
    const schema = bodySchema("post", "/v1/rooms/{roomId}/messages");
    expect(schema.maxLength).toBe(4000);
    expect(bodySchema("patch", "/v1/rooms/{roomId}/messages/{seq}")).toEqual(schema);
    const samples = [
      "x",
      "x".repeat(4000),
      "x".repeat(4001),
      "😀".repeat(4000),
      "😀".repeat(4001),
      "가".repeat(4000),
      "   ",
      "\n\t",
      "",
      " a ",
    ];
    for (const v of samples) {
      const res = await alice.http.post(`/v1/rooms/${roomId}/messages`, { body: v });
      documented("post", "/v1/rooms/{roomId}/messages", res);
      expect(
        res.status === 201,
        `body of ${[...v].length} code points ${JSON.stringify(v.slice(0, 4))}…`,
      ).toBe(docAccepts(schema, v));
    }
  });
});
