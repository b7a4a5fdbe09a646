// The cluster's operations page (admin token): shards with their load and room counts,
// the hottest rooms, and room moves in progress and finished with their write pauses,
// refreshed every second — the rebalancer made visible.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { adminApi, call, errorText } from "../api/client.js";
import type { paths } from "../api/schema.js";

type Json<P extends keyof paths, M extends "get"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;
type Shards = Json<"/admin/shards", "get">;
type Heat = Json<"/admin/heat", "get">;
type Moves = Json<"/admin/moves", "get">;
type Move = Moves["moves"][number];

const TOKEN_KEY = "chatcluster.admin";
const OPEN = new Set(["Pending", "Copying", "CatchingUp", "Fenced", "Verifying", "Flipped", "CleaningUp"]);
const STEPS = ["Pending", "Copying", "CatchingUp", "Fenced", "Verifying", "Flipped", "CleaningUp", "Done"];

export function OpsPage() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? "");
  const [draft, setDraft] = useState("");
  if (!token)
    return (
      <main className="login">
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            sessionStorage.setItem(TOKEN_KEY, draft.trim());
            setToken(draft.trim());
          }}
        >
          <h1>Cluster operations</h1>
          <p className="muted">For the cluster's admin: enter the admin token (CHAT_ADMIN_TOKEN).</p>
          <label>
            Admin token
            <input type="password" required value={draft} onChange={(e) => setDraft(e.target.value)} />
          </label>
          <button type="submit" className="primary">
            Open
          </button>
          <a href="/">Back to chat</a>
        </form>
      </main>
    );
  return (
    <Dashboard
      token={token}
      onSignOut={() => {
        sessionStorage.removeItem(TOKEN_KEY);
        setToken("");
      }}
    />
  );
}

function Dashboard({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const [data, setData] = useState<{ shards: Shards; heat: Heat; moves: Moves; at: Date } | null>(null);
  const [error, setError] = useState("");
  // Refresh every second, and every 300 ms while a move runs (or was just started).
  const fastUntil = useRef(0);
  const kick = useRef<() => void>(() => {});
  useEffect(() => {
    const admin = adminApi(token);
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const [shards, heat, moves] = await Promise.all([
          call(admin.GET("/admin/shards")),
          call(admin.GET("/admin/heat", { params: { query: { limit: "10" } } })),
          call(admin.GET("/admin/moves", { params: { query: { limit: "50", state: "all" } } })),
        ]);
        if (!stop) {
          setData({ shards, heat, moves, at: new Date() });
          setError("");
          if (moves.moves.some((m) => OPEN.has(m.state))) fastUntil.current = Date.now() + 2000;
        }
      } catch (e) {
        if (!stop) setError(errorText(e));
      }
      if (!stop) timer = setTimeout(tick, Date.now() < fastUntil.current ? 300 : 1000);
    };
    kick.current = () => {
      fastUntil.current = Date.now() + 5000;
      clearTimeout(timer);
      void tick();
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [token]);

  const rate = new Map(data?.heat.shards.map((s) => [s.shardId, s]) ?? []);
  const maxRate = Math.max(0.001, ...(data?.heat.shards.map((s) => s.rate) ?? [0]));
  const open = data?.moves.moves.filter((m) => OPEN.has(m.state)) ?? [];
  const done = data?.moves.moves.filter((m) => !OPEN.has(m.state)) ?? [];

  return (
    <main className="ops">
      <header className="topbar">
        <span className="brand">ChatCluster · operations</span>
        <output className="muted small" data-testid="ops-updated">
          {data
            ? `live · updated ${data.at.toLocaleTimeString()} · ${data.heat.instances} instance(s)`
            : "loading…"}
        </output>
        <a href="/" className="ops-chat-link">
          Chat
        </a>
        <button type="button" onClick={onSignOut}>
          Forget token
        </button>
      </header>
      {error && (
        <p className="error pad" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="shards-h" className="ops-section">
        <h2 id="shards-h">Shards</h2>
        <table data-testid="shards">
          <thead>
            <tr>
              <th scope="col">Shard</th>
              <th scope="col">State</th>
              <th scope="col">Rooms</th>
              <th scope="col">Writes/s</th>
              <th scope="col">Load</th>
            </tr>
          </thead>
          <tbody>
            {data?.shards.shards.map((s) => {
              const r = rate.get(s.shardId)?.rate ?? 0;
              return (
                <tr key={s.shardId} data-shard={s.shardId}>
                  <th scope="row">shard {s.shardId}</th>
                  <td>{s.state}</td>
                  <td data-testid="shard-rooms">{s.rooms}</td>
                  <td>{r.toFixed(2)}</td>
                  <td>
                    <meter min={0} max={maxRate} value={r} aria-label={`shard ${s.shardId} load`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="hot-h" className="ops-section">
        <h2 id="hot-h">Hottest rooms</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Room</th>
              <th scope="col">Shard</th>
              <th scope="col">Writes/s</th>
              <th scope="col">Share of shard</th>
            </tr>
          </thead>
          <tbody>
            {(data?.heat.shards ?? [])
              .flatMap((s) => s.rooms.map((r) => ({ ...r, shardId: s.shardId })))
              .sort((a, b) => b.rate - a.rate)
              .slice(0, 10)
              .map((r) => (
                <tr key={`${r.shardId}:${r.roomId}`}>
                  <th scope="row">room {r.roomId}</th>
                  <td>{r.shardId}</td>
                  <td>{r.rate.toFixed(2)}</td>
                  <td>{Math.round(r.share * 100)}%</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="moves-h" className="ops-section">
        <h2 id="moves-h">Room moves</h2>
        <MoveForm
          token={token}
          shards={data?.shards.shards.map((s) => s.shardId) ?? []}
          onStarted={() => kick.current()}
        />
        <h3>In progress ({open.length})</h3>
        {open.length === 0 ? (
          <p className="muted">No move is running.</p>
        ) : (
          <MoveTable moves={open} testid="moves-open" />
        )}
        <h3>Finished</h3>
        {done.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <MoveTable moves={done} testid="moves-done" />
        )}
      </section>
    </main>
  );
}

function MoveTable({ moves, testid }: { moves: Move[]; testid: string }) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          <th scope="col">Room</th>
          <th scope="col">From → to</th>
          <th scope="col">State</th>
          <th scope="col">Rows copied</th>
          <th scope="col">Write pause</th>
          <th scope="col">Took</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {moves.map((m) => {
          const step = STEPS.indexOf(m.state);
          const took = (m.finishTime ? Date.parse(m.finishTime) : Date.now()) - Date.parse(m.startTime);
          return (
            <tr key={m.id} data-move={m.id} data-room={m.roomId} data-state={m.state}>
              <th scope="row">room {m.roomId}</th>
              <td>
                {m.fromShard} → {m.toShard}
              </td>
              <td>
                {m.state}
                {step >= 0 && m.state !== "Done" && (
                  <progress max={STEPS.length - 1} value={step} aria-label={`move ${m.id} progress`} />
                )}
              </td>
              <td>{m.rowsCopied}</td>
              <td data-testid="write-pause">
                {m.writePauseMillis === null ? "—" : `${m.writePauseMillis} ms`}
              </td>
              <td>{(took / 1000).toFixed(1)} s</td>
              <td className="small">{m.reason ?? ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function MoveForm({ token, shards, onStarted }: { token: string; shards: number[]; onStarted: () => void }) {
  const [roomId, setRoomId] = useState("");
  const [toShard, setToShard] = useState("");
  const [msg, setMsg] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMsg("");
    try {
      const r = await call(
        adminApi(token).POST("/admin/moves", {
          body: {
            roomId: Number(roomId),
            toShard: Number(toShard),
            reason: "requested on the operations page",
          },
        }),
      );
      setMsg(`Move ${r.move.id} started.`);
      onStarted();
    } catch (err) {
      setMsg(errorText(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label>
        Room id
        <input inputMode="numeric" required value={roomId} onChange={(e) => setRoomId(e.target.value)} />
      </label>
      <label>
        To shard
        <select required value={toShard} onChange={(e) => setToShard(e.target.value)}>
          <option value="">choose…</option>
          {shards.map((s) => (
            <option key={s} value={s}>
              shard {s}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Move room</button>
      {msg && <output className="small">{msg}</output>}
    </form>
  );
}
