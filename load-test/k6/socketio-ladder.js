// k6: a Socket.IO user ladder over raw WebSocket (k6 has no socket.io client, so this
// speaks Engine.IO v4 / Socket.IO v5 frames by hand):
//
//   ws://host/socket.io/?EIO=4&transport=websocket
//   server "0{sid,pingInterval,…}"  → client "40{"token":…}"   (CONNECT with auth)
//   server "40{"sid":…}"            → connected; "44{…}" = connect_error
//   server "2" (ping)               → client "3" (pong)
//   events "42["event",payload]", with an ack id "42<id>[…]" answered by "43<id>[…]"
//
// Each VU opens one socket as one of USERS seeded users, subscribes to that user's
// room, sends a message every SEND_EVERY seconds (acked) and measures send→deliver
// latency on the "message:created" events it receives (k6 VUs share one clock).
// The VU count climbs LADDER (default small: 20,50,100) holding each step STEP long;
// for the ladder: -e LADDER=100,1000,2500,5000,10000 -e STEP=60s.
//
//   ~/.cache/chatcluster/bin/k6 run -e BASE_URL=http://127.0.0.1:18080 load-test/k6/socketio-ladder.js
//
// Env (optional): BASE_URL (http://127.0.0.1:8080), LADDER, STEP (20s), USERS (50),
// ROOMS (10), SEND_EVERY (5 s per VU), HOLD (seconds a socket stays open, 30),
// P99_MS (deliver-latency threshold, 250).
import { check, fail } from "k6";
import http from "k6/http";
import { Counter, Rate, Trend } from "k6/metrics";
import ws from "k6/ws";

const BASE = (__ENV.BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const WS_URL = `${BASE.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
const LADDER = (__ENV.LADDER || "20,50,100")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const STEP = __ENV.STEP || "20s";
const USERS = Number(__ENV.USERS || 50);
const ROOMS = Math.max(1, Math.min(Number(__ENV.ROOMS || 10), USERS));
const SEND_EVERY_MS = Number(__ENV.SEND_EVERY || 5) * 1000;
const HOLD_MS = Number(__ENV.HOLD || 30) * 1000;
const P99_MS = Number(__ENV.P99_MS || 250);

const deliverLatency = new Trend("chat_deliver_latency", true);
const ackLatency = new Trend("chat_ack_latency", true);
const deliveries = new Counter("chat_deliveries");
const sends = new Counter("chat_sends");
const connected = new Rate("chat_socket_connected");
const ackOk = new Rate("chat_send_acked");

export const options = {
  setupTimeout: "300s",
  scenarios: {
    ladder: {
      executor: "ramping-vus",
      startVUs: 0,
      // Ramp to each rung over a tenth of STEP, then hold it for STEP.
      stages: LADDER.flatMap((n) => [
        { duration: `${Math.max(1, Math.round(parseDuration(STEP) / 10))}s`, target: n },
        { duration: STEP, target: n },
      ]).concat([{ duration: "5s", target: 0 }]),
      gracefulRampDown: "10s",
    },
  },
  thresholds: {
    chat_socket_connected: ["rate>0.99"],
    chat_send_acked: ["rate>0.99"],
    chat_deliver_latency: [`p(99)<${P99_MS}`],
  },
};

function parseDuration(s) {
  const m = /^(\d+)(ms|s|m)?$/.exec(String(s));
  if (!m) return 20;
  const n = Number(m[1]);
  return m[2] === "m" ? n * 60 : m[2] === "ms" ? n / 1000 : n;
}

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
      JSON.stringify({ username: `k6w${run}u${i}`, password: "correct horse battery staple" }),
      json,
    );
    if (res.status !== 201) fail(`register ${i}: ${res.status} ${res.body}`);
    users.push({ token: res.json().accessToken, roomId: 0 });
  }
  const rooms = [];
  for (let r = 0; r < ROOMS; r++) {
    const res = http.post(
      `${BASE}/v1/rooms`,
      JSON.stringify({ kind: "public", name: `k6 ws room ${r}` }),
      auth(users[r].token),
    );
    if (res.status !== 201) fail(`create room ${r}: ${res.status} ${res.body}`);
    rooms.push(res.json().id);
  }
  for (let i = 0; i < USERS; i++) {
    users[i].roomId = rooms[i % ROOMS];
    if (i < ROOMS) continue;
    const res = http.post(`${BASE}/v1/rooms/${users[i].roomId}/join`, null, auth(users[i].token));
    if (res.status !== 200) fail(`join ${i}: ${res.status} ${res.body}`);
  }
  return { users, run };
}

/** Splits a Socket.IO packet (after the Engine.IO "4"): {type, id, data}. */
function parseSio(s) {
  const type = s.charCodeAt(0) - 48;
  let i = 1;
  if (s[i] === "/") {
    const comma = s.indexOf(",", i);
    i = comma < 0 ? s.length : comma + 1;
  }
  let id = "";
  while (i < s.length && s[i] >= "0" && s[i] <= "9") id += s[i++];
  let data = null;
  if (i < s.length) {
    try {
      data = JSON.parse(s.slice(i));
    } catch (_e) {
      data = null;
    }
  }
  return { type, id: id === "" ? null : Number(id), data };
}

export default function (data) {
  const u = data.users[(__VU - 1) % data.users.length];
  let nextAck = 1;
  const pending = {}; // ack id → { kind, at }
  let isConnected = false;
  const res = ws.connect(WS_URL, {}, (socket) => {
    const emit = (event, payload, kind) => {
      const id = nextAck++;
      pending[id] = { kind, at: Date.now() };
      socket.send(`42${id}${JSON.stringify([event, payload])}`);
    };
    socket.on("message", (msg) => {
      const eio = msg[0];
      if (eio === "2") return socket.send("3"); // ping → pong
      if (eio === "0") return socket.send(`40${JSON.stringify({ token: u.token })}`); // open → CONNECT
      if (eio !== "4") return;
      const p = parseSio(msg.slice(1));
      if (p.type === 0) {
        isConnected = true;
        emit("room:subscribe", { roomId: u.roomId }, "subscribe");
      } else if (p.type === 4) {
        socket.close(); // connect_error (bad token)
      } else if (p.type === 3 && p.id !== null) {
        const req = pending[p.id];
        delete pending[p.id];
        if (!req) return;
        const ok = Array.isArray(p.data) && p.data[0] && p.data[0].ok === true;
        if (req.kind === "subscribe") {
          check(ok, { subscribed: (v) => v === true });
          if (!ok) return socket.close();
          // Stagger the first send so VUs do not fire in lockstep.
          socket.setTimeout(
            () => {
              const tick = () => {
                emit(
                  "message:send",
                  {
                    roomId: u.roomId,
                    body: `k6 t=${Date.now()}`,
                    clientMsgId: `k6w-${data.run}-${__VU}-${__ITER}-${nextAck}`,
                  },
                  "send",
                );
                sends.add(1);
              };
              tick();
              socket.setInterval(tick, SEND_EVERY_MS);
            },
            Math.floor(Math.random() * SEND_EVERY_MS),
          );
        } else {
          ackOk.add(ok ? 1 : 0);
          ackLatency.add(Date.now() - req.at);
        }
      } else if (p.type === 2 && Array.isArray(p.data) && p.data[0] === "message:created") {
        const m = /^k6 t=(\d+)$/.exec(p.data[1]?.body || "");
        if (m) {
          deliveries.add(1);
          deliverLatency.add(Date.now() - Number(m[1]));
        }
      }
    });
    socket.setTimeout(() => socket.close(), HOLD_MS);
  });
  connected.add(isConnected ? 1 : 0);
  check(res, { "ws upgrade 101": (r) => r && r.status === 101 });
}
