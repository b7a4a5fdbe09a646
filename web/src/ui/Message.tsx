import { type ReactNode, useState } from "react";
import { errorText } from "../api/client.js";
import type { Pending } from "../chat/store.js";
import type { MessageDto } from "../contracts.js";
import { dayOf, timeOf, useChat } from "./hooks.js";

const EMOJI = ["👍", "❤️", "😂", "🎉", "👀"];

/** The body with @mentions marked (the server resolved them; we only highlight). */
function renderBody(m: MessageDto, me: string): ReactNode[] {
  const names = new Set(m.mentions.map((x) => x.username.toLowerCase()));
  const parts = m.body.split(/(@[\p{L}\p{N}_.-]+)/u);
  return parts.map((p, i) => {
    const name = p.startsWith("@") ? p.slice(1).toLowerCase() : null;
    if (name && (names.has(name) || name === "room" || name === "here"))
      return (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one body never reorder
        <mark key={i} className={`mention ${name === me.toLowerCase() ? "me" : ""}`}>
          {p}
        </mark>
      );
    return p;
  });
}

export function MessageItem({
  m,
  prev,
  replies,
  highlight,
  onThread,
}: {
  m: MessageDto;
  prev: MessageDto | undefined;
  replies: number;
  highlight: boolean;
  onThread?: (seq: number) => void;
}) {
  const chat = useChat();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(m.body);
  const [error, setError] = useState("");
  const [picking, setPicking] = useState(false);
  const sender = chat.person(m.senderId);
  const mine = m.senderId === chat.me.id;
  const grouped =
    prev !== undefined &&
    prev.senderId === m.senderId &&
    !prev.deletedAt &&
    Date.parse(m.createdAt) - Date.parse(prev.createdAt) < 5 * 60_000;
  const newDay = !prev || dayOf(prev.createdAt) !== dayOf(m.createdAt);
  const run = (p: Promise<unknown>) => p.catch((e: unknown) => setError(errorText(e)));
  const name = sender ? sender.displayName || sender.username : `user ${m.senderId}`;

  return (
    <>
      {newDay && (
        <li className="day" aria-hidden="true">
          <span>{dayOf(m.createdAt)}</span>
        </li>
      )}
      <li
        id={`msg-${m.roomId}-${m.seq}`}
        className={`msg ${grouped && !newDay ? "grouped" : ""} ${highlight ? "highlight" : ""} ${m.deletedAt ? "deleted" : ""}`}
        data-seq={m.seq}
        data-testid="message"
        tabIndex={-1}
        aria-label={`${name} at ${timeOf(m.createdAt)}`}
      >
        {(!grouped || newDay) && (
          <div className="msg-head">
            <strong>{name}</strong>
            <time className="muted small" dateTime={m.createdAt}>
              {timeOf(m.createdAt)}
            </time>
          </div>
        )}
        {m.deletedAt ? (
          <p className="muted body">This message was deleted.</p>
        ) : editing ? (
          <form
            className="edit"
            onSubmit={(e) => {
              e.preventDefault();
              void run(chat.edit(m.roomId, m.seq, draft.trim()).then(() => setEditing(false)));
            }}
          >
            <input aria-label="Edit message" value={draft} onChange={(e) => setDraft(e.target.value)} />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <p className="body">
            {renderBody(m, chat.me.username)}
            {m.editedAt && <span className="muted small"> (edited)</span>}
          </p>
        )}
        {!m.deletedAt && m.reactions.length > 0 && (
          <div className="reactions">
            {m.reactions.map((r) => (
              <button
                key={r.emoji}
                type="button"
                className="chip"
                aria-label={`${r.emoji} ${r.count}, react`}
                onClick={() => void run(chat.react(m.roomId, m.seq, r.emoji, true))}
              >
                {r.emoji} {r.count}
              </button>
            ))}
          </div>
        )}
        {replies > 0 && onThread && (
          <button type="button" className="link small" onClick={() => onThread(m.seq)}>
            {replies} {replies === 1 ? "reply" : "replies"}
          </button>
        )}
        {error && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
        {!m.deletedAt && !editing && (
          <div className="msg-actions">
            {picking ? (
              EMOJI.map((e) => (
                <button
                  key={e}
                  type="button"
                  className="icon-button"
                  aria-label={`React ${e}`}
                  onClick={() => {
                    setPicking(false);
                    void run(chat.react(m.roomId, m.seq, e, true));
                  }}
                >
                  {e}
                </button>
              ))
            ) : (
              <button
                type="button"
                className="icon-button"
                aria-label="Add reaction"
                onClick={() => setPicking(true)}
              >
                ☺
              </button>
            )}
            {m.reactions.length > 0 && (
              <button
                type="button"
                className="icon-button"
                aria-label="Remove my reactions"
                title="Remove my reactions"
                onClick={() => {
                  for (const r of m.reactions) void run(chat.react(m.roomId, m.seq, r.emoji, false));
                }}
              >
                ⊘
              </button>
            )}
            {onThread && (
              <button
                type="button"
                className="icon-button"
                aria-label="Reply in thread"
                onClick={() => onThread(m.seq)}
              >
                ↩
              </button>
            )}
            {mine && (
              <>
                <button
                  type="button"
                  className="icon-button"
                  aria-label="Edit message"
                  onClick={() => {
                    setDraft(m.body);
                    setEditing(true);
                  }}
                >
                  ✎
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label="Delete message"
                  onClick={() => {
                    if (confirm("Delete this message?")) void run(chat.remove(m.roomId, m.seq));
                  }}
                >
                  🗑
                </button>
              </>
            )}
          </div>
        )}
      </li>
    </>
  );
}

export function PendingItem({ p }: { p: Pending }) {
  const chat = useChat();
  return (
    <li className={`msg pending ${p.error ? "failed" : ""}`} data-testid="pending">
      <p className="body">{p.body}</p>
      {p.error ? (
        <p className="error small" role="alert">
          {p.error}{" "}
          <button type="button" className="link" onClick={() => chat.retry(p.clientMsgId)}>
            Retry
          </button>{" "}
          <button type="button" className="link" onClick={() => chat.discard(p.clientMsgId)}>
            Discard
          </button>
        </p>
      ) : (
        <p className="muted small">Sending…</p>
      )}
    </li>
  );
}
