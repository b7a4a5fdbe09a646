// k6: message sends through the REST API at a fixed arrival rate.
//
//   npm run serve -w load-test -- --port 18080 &        # or any running platform
//   ~/.cache/chatcluster/bin/k6 run -e BASE_URL=http://127.0.0.1:18080 load-test/k6/http-send.js
//
// setup() registers USERS accounts (the target must allow that many registrations from
// one IP: `npm run serve` raises the limit), USERS/ROOMS of them each create a public
// room and the rest join one. Then RATE sends/s for DURATION, each a POST
// /v1/rooms/:id/messages with a fresh clientMsgId (expects 201).
//
// Env (all optional): BASE_URL (http://127.0.0.1:8080), USERS (50), ROOMS (10),
// RATE (100 sends/s), DURATION (30s), MAX_VUS (200), P99_MS (threshold, 250).
import { check, fail } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";

const BASE = (__ENV.BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const USERS = Number(__ENV.USERS || 50);
const ROOMS = Math.max(1, Math.min(Number(__ENV.ROOMS || 10), USERS));
const RATE = Number(__ENV.RATE || 100);
const DURATION = __ENV.DURATION || "30s";
const MAX_VUS = Number(__ENV.MAX_VUS || 200);
const P99_MS = Number(__ENV.P99_MS || 250);

const sent = new Counter("chat_messages_sent");

export const options = {
  setupTimeout: "300s",
  scenarios: {
    send: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, Math.ceil(RATE / 10))),
      maxVUs: MAX_VUS,
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:send}": [`p(99)<${P99_MS}`],
    checks: ["rate>0.99"],
  },
};

const json = { headers: { "content-type": "application/json" } };
const auth = (token) => ({
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
});

export function setup() {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const res = http.post(
      `${BASE}/v1/auth/register`,
      JSON.stringify({ username: `k6h${run}u${i}`, password: "correct horse battery staple" }),
      { ...json, tags: { name: "register" } },
    );
    if (res.status !== 201) fail(`register ${i}: ${res.status} ${res.body}`);
    const body = res.json();
    users.push({ id: body.user.id, token: body.accessToken, roomId: 0 });
  }
  const rooms = [];
  for (let r = 0; r < ROOMS; r++) {
    const res = http.post(`${BASE}/v1/rooms`, JSON.stringify({ kind: "public", name: `k6 room ${r}` }), {
      ...auth(users[r].token),
      tags: { name: "create-room" },
    });
    if (res.status !== 201) fail(`create room ${r}: ${res.status} ${res.body}`);
    rooms.push(res.json().id);
  }
  for (let i = 0; i < USERS; i++) {
    users[i].roomId = rooms[i % ROOMS];
    if (i < ROOMS) continue;
    const res = http.post(`${BASE}/v1/rooms/${users[i].roomId}/join`, null, {
      ...auth(users[i].token),
      tags: { name: "join" },
    });
    if (res.status !== 200) fail(`join ${i}: ${res.status} ${res.body}`);
  }
  return { users, run };
}

export default function (data) {
  const u = data.users[(__VU * 7919 + __ITER) % data.users.length];
  const res = http.post(
    `${BASE}/v1/rooms/${u.roomId}/messages`,
    JSON.stringify({ body: `k6 hello ${__VU}/${__ITER}`, clientMsgId: `k6-${data.run}-${__VU}-${__ITER}` }),
    { ...auth(u.token), tags: { name: "send" } },
  );
  const ok = check(res, {
    "send 201": (r) => r.status === 201,
    "has seq": (r) => r.status === 201 && r.json().seq > 0,
  });
  if (ok) sent.add(1);
}
