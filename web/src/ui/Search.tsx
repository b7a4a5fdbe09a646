import { useEffect, useState } from "react";
import { api, call, errorText } from "../api/client.js";
import type { paths } from "../api/schema.js";
import { navigate } from "../router.js";
import { timeOf, useChat } from "./hooks.js";

type Hit = paths["/v1/search"]["get"]["responses"]["200"]["content"]["application/json"]["results"][number];

function Fragment({ hit }: { hit: Hit }) {
  const out: (string | React.JSX.Element)[] = [];
  let at = 0;
  for (const h of [...hit.highlights].sort((a, b) => a.start - b.start)) {
    if (h.start < at) continue;
    out.push(hit.fragment.slice(at, h.start));
    out.push(<mark key={h.start}>{hit.fragment.slice(h.start, h.start + h.length)}</mark>);
    at = h.start + h.length;
  }
  out.push(hit.fragment.slice(at));
  return <>{out}</>;
}

export function SearchPanel({ q, onClose }: { q: string; onClose: () => void }) {
  const chat = useChat();
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");
  const more = (after: string | null) =>
    call(
      api.GET("/v1/search", { params: { query: { q, limit: "20", ...(after ? { cursor: after } : {}) } } }),
    )
      .then((r) => {
        setHits((h) => [...(after ? (h ?? []) : []), ...r.results]);
        setCursor(r.nextCursor);
      })
      .catch((e: unknown) => setError(errorText(e)));
  // biome-ignore lint/correctness/useExhaustiveDependencies: one search per query (the panel is keyed by q)
  useEffect(() => {
    void more(null);
  }, []);
  return (
    <aside className="side-panel overlay" aria-label="Search results">
      <div className="panel-head">
        <h3>Results for “{q}”</h3>
        <button type="button" className="icon-button" aria-label="Close search" onClick={onClose}>
          ✕
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {hits === null ? (
        <p className="muted">Searching…</p>
      ) : hits.length === 0 ? (
        <p className="muted">No messages match.</p>
      ) : (
        <ul className="results">
          {hits.map((h) => {
            const room = chat.rooms.get(h.roomId)?.room;
            const who = chat.person(h.senderId);
            return (
              <li key={h.id}>
                <a
                  href={`/rooms/${h.roomId}?m=${h.seq}`}
                  data-testid="search-hit"
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/rooms/${h.roomId}?m=${h.seq}`);
                    // At phone width the panel covers the room: close it to show the message.
                    if (matchMedia("(max-width: 720px)").matches) onClose();
                  }}
                >
                  <span className="muted small">
                    {room ? chat.roomTitle(room) : `room ${h.roomId}`} · {who?.username ?? "…"} ·{" "}
                    {timeOf(h.createdAt)}
                  </span>
                  <span className="fragment">
                    <Fragment hit={h} />
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void more(cursor)}>
          More results
        </button>
      )}
    </aside>
  );
}
