import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { api, call, errorText } from "../api/client.js";
import type { MemberDto, MessageDto, RoomDto } from "../contracts.js";
import { navigate } from "../router.js";
import { UserPicker } from "./Dialogs.js";
import { useChat } from "./hooks.js";
import { MessageItem, PendingItem } from "./Message.js";

type State =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "preview"; room: RoomDto }
  | { status: "ready"; room: RoomDto };

export function RoomView({ roomId, jumpTo }: { roomId: number; jumpTo: number | null }) {
  const chat = useChat();
  const [state, setState] = useState<State>({ status: "loading" });
  const [side, setSide] = useState<{ kind: "thread"; seq: number } | { kind: "members" } | null>(null);

  const load = useCallback(async () => {
    try {
      const room = await call(
        api.GET("/v1/rooms/{roomId}", { params: { path: { roomId: String(roomId) } } }),
      );
      if (!room.myRole) {
        setState({ status: "preview", room });
        return;
      }
      if (!chat.rooms.has(room.id)) await chat.adopt(room);
      setState({ status: "ready", room });
    } catch (err) {
      setState({ status: "error", message: errorText(err) });
    }
  }, [roomId, chat]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (state.status !== "ready") return;
    chat.focus(roomId);
    chat
      .open(roomId, jumpTo ?? undefined)
      .catch((err: unknown) => setState({ status: "error", message: errorText(err) }));
    return () => chat.focus(null);
  }, [state.status, roomId, jumpTo, chat]);

  if (state.status === "loading") return <p className="muted pad">Loading room…</p>;
  if (state.status === "error")
    return (
      <div className="empty" data-testid="room-error">
        <h2>This room cannot be opened</h2>
        <p className="error" role="alert">
          {state.message}
        </p>
        <p>
          <a
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate("/");
            }}
          >
            Back to your rooms
          </a>
        </p>
      </div>
    );
  if (state.status === "preview")
    return (
      <div className="empty">
        <h2># {state.room.name}</h2>
        <p className="muted">{state.room.topic || "A public room."}</p>
        <p>{state.room.memberCount} members. Join to read and write.</p>
        <button
          type="button"
          className="primary"
          onClick={() =>
            void call(api.POST("/v1/rooms/{roomId}/join", { params: { path: { roomId: String(roomId) } } }))
              .then(async (r) => {
                await chat.adopt(r);
                setState({ status: "ready", room: r });
              })
              .catch((e: unknown) => setState({ status: "error", message: errorText(e) }))
          }
        >
          Join room
        </button>
      </div>
    );

  const entry = chat.rooms.get(roomId);
  const room = entry?.room ?? state.room;
  return (
    <div className={`room ${side ? "with-side" : ""}`}>
      <div className="room-head">
        <button
          type="button"
          className="back icon-button"
          aria-label="Back to rooms"
          onClick={() => navigate("/")}
        >
          ‹
        </button>
        <div className="room-title">
          <h2>
            <span aria-hidden="true">
              {room.kind === "private" ? "🔒 " : room.kind === "direct" ? "@ " : "# "}
            </span>
            {chat.roomTitle(room)}
          </h2>
          {room.topic && <p className="muted small">{room.topic}</p>}
          {room.kind === "direct" && <DirectPresence roomId={roomId} />}
        </div>
        <MuteButton roomId={roomId} />
        <button type="button" onClick={() => setSide(side?.kind === "members" ? null : { kind: "members" })}>
          Members ({room.memberCount})
        </button>
      </div>
      <Timeline roomId={roomId} jumpTo={jumpTo} onThread={(seq) => setSide({ kind: "thread", seq })} />
      <TypingLine roomId={roomId} />
      <Composer roomId={roomId} parentSeq={null} label={`Message ${chat.roomTitle(room)}`} />
      {side?.kind === "thread" && (
        <ThreadPanel roomId={roomId} parentSeq={side.seq} onClose={() => setSide(null)} />
      )}
      {side?.kind === "members" && <MembersPanel room={room} onClose={() => setSide(null)} />}
    </div>
  );
}

/** The other person's presence in a direct room. */
function DirectPresence({ roomId }: { roomId: number }) {
  const chat = useChat();
  const members = chat.members.get(roomId);
  useEffect(() => {
    if (!members) void chat.loadMembers(roomId).catch(() => {});
  }, [members, chat, roomId]);
  const other = members?.find((m) => m.userId !== chat.me.id);
  if (!other) return null;
  const st = chat.presence.get(other.userId) ?? "offline";
  return (
    <p className="muted small" data-testid="dm-presence">
      <span className={`dot ${st}`} aria-hidden="true" /> {st}
    </p>
  );
}

/** Mute: the room still counts unread messages but never notifies. */
function MuteButton({ roomId }: { roomId: number }) {
  const [muted, setMuted] = useState<boolean | null>(null);
  const path = { roomId: String(roomId) };
  useEffect(() => {
    call(api.GET("/v1/rooms/{roomId}/notifications", { params: { path: { roomId: String(roomId) } } }))
      .then((r) => setMuted(r.muted))
      .catch(() => setMuted(null));
  }, [roomId]);
  if (muted === null) return null;
  return (
    <button
      type="button"
      aria-pressed={muted}
      title={muted ? "Notifications are off for this room" : "Turn notifications off for this room"}
      onClick={() =>
        void call(api.PUT("/v1/rooms/{roomId}/notifications", { params: { path }, body: { muted: !muted } }))
          .then((r) => setMuted(r.muted))
          .catch(() => {})
      }
    >
      {muted ? "Muted" : "Mute"}
    </button>
  );
}

function Timeline({
  roomId,
  jumpTo,
  onThread,
}: {
  roomId: number;
  jumpTo: number | null;
  onThread: (seq: number) => void;
}) {
  const chat = useChat();
  const t = chat.timelines.get(roomId);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const prevHeight = useRef<{ first: number | undefined; height: number } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState("");
  const entry = chat.rooms.get(roomId);
  const readAtOpen = useRef<number | null>(null);
  if (readAtOpen.current === null && entry) readAtOpen.current = entry.room.lastReadSeq ?? 0;

  const top = t ? t.seqs.map((s) => t.bySeq.get(s)!).filter((m) => m.parentSeq === null) : [];
  const replies = new Map<number, number>();
  if (t)
    for (const m of t.bySeq.values())
      if (m.parentSeq !== null) replies.set(m.parentSeq, (replies.get(m.parentSeq) ?? 0) + 1);
  const pending = [...chat.pending.values()].filter((p) => p.roomId === roomId && p.parentSeq === null);
  const lastSeq = t?.seqs.at(-1);

  // Keep the view pinned to the bottom for new messages; keep the reading position when
  // older messages are added above.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = prevHeight.current;
    const first = t?.seqs[0];
    if (prev && prev.first !== undefined && first !== undefined && first < prev.first) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (stick.current && jumpTo === null) {
      el.scrollTop = el.scrollHeight;
    }
    prevHeight.current = { first, height: el.scrollHeight };
  });

  // Jump to a message (search result, notification) once it is loaded.
  useEffect(() => {
    if (jumpTo === null || !t?.bySeq.has(jumpTo)) return;
    const el = document.getElementById(`msg-${roomId}-${jumpTo}`);
    if (!el) return;
    stick.current = false;
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  }, [jumpTo, t, roomId]);

  // Read marker: follows the newest message shown while the page is visible and at the bottom.
  useEffect(() => {
    if (lastSeq === undefined || !t?.attached) return;
    const mark = () => {
      if (document.visibilityState === "visible" && stick.current) chat.markRead(roomId, lastSeq);
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [lastSeq, t?.attached, roomId, chat]);

  const onScroll = () => {
    const el = ref.current;
    if (!el || !t) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (stick.current && lastSeq !== undefined && t.attached) chat.markRead(roomId, lastSeq);
    if (el.scrollTop < 120 && t.hasOlder && !loadingOlder) {
      setLoadingOlder(true);
      chat
        .older(roomId)
        .catch((e: unknown) => setError(errorText(e)))
        .finally(() => setLoadingOlder(false));
    }
    if (!t.attached && el.scrollHeight - el.scrollTop - el.clientHeight < 120) {
      void chat.newer(roomId).catch((e: unknown) => setError(errorText(e)));
    }
  };

  if (!t) return <p className="muted pad timeline">Loading messages…</p>;
  const marker = readAtOpen.current ?? 0;
  return (
    <>
      {error && (
        <p className="error pad" role="alert">
          {error}
        </p>
      )}
      <div
        ref={ref}
        className="timeline"
        onScroll={onScroll}
        aria-label="Messages"
        role="log"
        aria-live="polite"
        data-testid="timeline"
        tabIndex={-1}
      >
        <ol className="messages">
          {t.hasOlder ? (
            <li className="muted center small">
              <button type="button" className="link" onClick={() => void chat.older(roomId)}>
                {loadingOlder ? "Loading older messages…" : "Load older messages"}
              </button>
            </li>
          ) : (
            <li className="muted center small">This is the start of the room.</li>
          )}
          {top.map((m, i) => (
            <MessageRow
              key={m.seq}
              m={m}
              prev={top[i - 1]}
              replies={replies.get(m.seq) ?? 0}
              newMarker={
                marker > 0 && m.seq > marker && (top[i - 1]?.seq ?? 0) <= marker && m.senderId !== chat.me.id
              }
              highlight={m.seq === jumpTo}
              onThread={onThread}
            />
          ))}
          {pending.map((p) => (
            <PendingItem key={p.clientMsgId} p={p} />
          ))}
          {!t.attached && (
            <li className="center">
              <button
                type="button"
                className="link"
                onClick={() => navigate(`/rooms/${roomId}`, { replace: true })}
              >
                Jump to the newest messages ↓
              </button>
            </li>
          )}
        </ol>
      </div>
    </>
  );
}

function MessageRow(props: {
  m: MessageDto;
  prev: MessageDto | undefined;
  replies: number;
  newMarker: boolean;
  highlight: boolean;
  onThread: (seq: number) => void;
}) {
  return (
    <>
      {props.newMarker && (
        <li className="new-marker" aria-label="New messages">
          <span>New</span>
        </li>
      )}
      <MessageItem {...props} />
    </>
  );
}

/** Who is typing, or else who has read up to the newest message (read markers, live). */
function TypingLine({ roomId }: { roomId: number }) {
  const chat = useChat();
  const names = [...(chat.typing.get(roomId)?.values() ?? [])].map((t) => t.username);
  const last = chat.timelines.get(roomId)?.seqs.at(-1);
  const seen = [...(chat.readers.get(roomId) ?? [])]
    .filter(([uid, seq]) => uid !== chat.me.id && last !== undefined && seq >= last)
    .map(([uid]) => chat.person(uid)?.username ?? `user ${uid}`);
  return (
    <p className="typing muted small" aria-live="polite" data-testid="typing">
      {names.length > 0
        ? `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`
        : seen.length > 0
          ? `Seen by ${seen.join(", ")}`
          : "\u00a0"}
    </p>
  );
}

/** The "@prefix" being typed at the caret, if any. */
function mentionAt(text: string, caret: number): { start: number; prefix: string } | null {
  const m = /(^|[^\p{L}\p{N}_])@([\p{L}\p{N}_.-]{0,32})$/u.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, prefix: m[2]!.toLowerCase() };
}

export function Composer({
  roomId,
  parentSeq,
  label,
}: {
  roomId: number;
  parentSeq: number | null;
  label: string;
}) {
  const chat = useChat();
  const [body, setBody] = useState("");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const listId = `mentions-${roomId}-${parentSeq ?? "room"}`;
  const at = dismissed ? null : mentionAt(body, caret);
  const members = chat.members.get(roomId);
  useEffect(() => {
    if (at && !members) void chat.loadMembers(roomId).catch(() => {});
  }, [at, members, chat, roomId]);
  const suggestions = at
    ? [
        ...(members ?? [])
          .filter((m) => m.userId !== chat.me.id)
          .filter(
            (m) => m.username.startsWith(at.prefix) || m.displayName.toLowerCase().startsWith(at.prefix),
          )
          .map((m) => ({ username: m.username, label: m.displayName || m.username })),
        ...("room".startsWith(at.prefix) ? [{ username: "room", label: "everyone in the room" }] : []),
      ].slice(0, 8)
    : [];
  const open = suggestions.length > 0;
  const pick = (username: string) => {
    if (!at) return;
    const next = `${body.slice(0, at.start)}@${username} ${body.slice(caret)}`;
    const pos = at.start + username.length + 2;
    setBody(next);
    setCaret(pos);
    setActive(0);
    requestAnimationFrame(() => area.current?.setSelectionRange(pos, pos));
  };
  const send = () => {
    const text = body.trim();
    if (!text) return;
    setBody("");
    setCaret(0);
    void chat.send(roomId, text, parentSeq);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = suggestions.length;
        setActive((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(suggestions[Math.min(active, suggestions.length - 1)]!.username);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissed(true);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {open && (
        <div className="mention-list" id={listId} role="listbox" aria-label="Mention someone">
          {suggestions.map((s, i) => (
            <div
              key={s.username}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s.username);
              }}
            >
              @{s.username} <span className="muted small">{s.label}</span>
            </div>
          ))}
        </div>
      )}
      <textarea
        ref={area}
        aria-label={label}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined}
        placeholder={label}
        title="Enter sends, Shift+Enter starts a new line, @name mentions someone"
        rows={1}
        value={body}
        onChange={(e) => {
          setBody(e.target.value);
          setCaret(e.target.selectionStart);
          setDismissed(false);
          setActive(0);
          if (e.target.value) chat.typingIn(roomId);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKey}
      />
      <button type="submit" className="primary">
        Send
      </button>
    </form>
  );
}

function ThreadPanel({
  roomId,
  parentSeq,
  onClose,
}: {
  roomId: number;
  parentSeq: number;
  onClose: () => void;
}) {
  const chat = useChat();
  const [error, setError] = useState("");
  useEffect(() => {
    chat.loadThread(roomId, parentSeq).catch((e: unknown) => setError(errorText(e)));
  }, [chat, roomId, parentSeq]);
  const t = chat.timelines.get(roomId);
  const parent = t?.bySeq.get(parentSeq);
  const replies = t ? t.seqs.map((s) => t.bySeq.get(s)!).filter((m) => m.parentSeq === parentSeq) : [];
  const pending = [...chat.pending.values()].filter((p) => p.roomId === roomId && p.parentSeq === parentSeq);
  return (
    <aside className="side-panel" aria-label="Thread">
      <div className="panel-head">
        <h3>Thread</h3>
        <button type="button" className="icon-button" aria-label="Close thread" onClick={onClose}>
          ✕
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ol className="timeline thread" aria-label="Thread messages">
        {parent && <MessageItem m={parent} prev={undefined} replies={0} highlight={false} />}
        <li className="muted small pad">
          {replies.length} {replies.length === 1 ? "reply" : "replies"}
        </li>
        {replies.map((m, i) => (
          <MessageItem key={m.seq} m={m} prev={replies[i - 1]} replies={0} highlight={false} />
        ))}
        {pending.map((p) => (
          <PendingItem key={p.clientMsgId} p={p} />
        ))}
      </ol>
      <Composer roomId={roomId} parentSeq={parentSeq} label="Reply in thread" />
    </aside>
  );
}

function MembersPanel({ room, onClose }: { room: RoomDto; onClose: () => void }) {
  const chat = useChat();
  const [members, setMembers] = useState<MemberDto[] | null>(null);
  const [error, setError] = useState("");
  const [inviting, setInviting] = useState(false);
  const rid = String(room.id);
  const load = useCallback(() => {
    call(
      api.GET("/v1/rooms/{roomId}/members", { params: { path: { roomId: rid }, query: { limit: "100" } } }),
    )
      .then((p) => {
        setMembers(p.members);
        chat.addPeople(
          p.members.map((m) => ({ id: m.userId, username: m.username, displayName: m.displayName })),
        );
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [rid, chat]);
  useEffect(load, [load]);
  const canInvite = room.kind === "public" || room.myRole === "owner" || room.myRole === "admin";
  return (
    <aside className="side-panel" aria-label="Members">
      <div className="panel-head">
        <h3>Members</h3>
        <button type="button" className="icon-button" aria-label="Close members" onClick={onClose}>
          ✕
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="pick-list">
        {(members ?? []).map((m) => {
          const st = chat.presence.get(m.userId) ?? (m.userId === chat.me.id ? "online" : "offline");
          return (
            <li key={m.userId}>
              <span>
                <span className={`dot ${st}`} role="img" aria-label={st} /> {m.displayName || m.username}{" "}
                <span className="muted small">
                  @{m.username} · {m.role}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
      {room.kind !== "direct" && (room.myRole === "owner" || room.myRole === "admin") && (
        <RoomSettings room={room} onError={setError} />
      )}
      {room.kind !== "direct" &&
        canInvite &&
        (inviting ? (
          <UserPicker
            label="Invite someone"
            action="Invite"
            onPick={async (u) => {
              await call(
                api.POST("/v1/rooms/{roomId}/members", {
                  params: { path: { roomId: rid } },
                  body: { userId: u.id },
                }),
              );
              load();
            }}
          />
        ) : (
          <button type="button" onClick={() => setInviting(true)}>
            Invite people
          </button>
        ))}
      {room.kind !== "direct" && (
        <button
          type="button"
          className="danger"
          onClick={() =>
            void call(api.POST("/v1/rooms/{roomId}/leave", { params: { path: { roomId: rid } } }))
              .then(() => navigate("/"))
              .catch((e: unknown) => setError(errorText(e)))
          }
        >
          Leave room
        </button>
      )}
    </aside>
  );
}

/** Name and topic, for the room's owner and admins. */
function RoomSettings({ room, onError }: { room: RoomDto; onError: (e: string) => void }) {
  const chat = useChat();
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic);
  const [saved, setSaved] = useState(false);
  return (
    <form
      className="stack"
      aria-label="Room settings"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        call(
          api.PATCH("/v1/rooms/{roomId}", {
            params: { path: { roomId: String(room.id) } },
            body: { name: name.trim(), topic },
          }),
        )
          .then((r) => {
            void chat.adopt({ ...room, ...r });
            setSaved(true);
          })
          .catch((err: unknown) => onError(errorText(err)));
      }}
    >
      <label>
        Room name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Topic
        <input value={topic} onChange={(e) => setTopic(e.target.value)} />
      </label>
      <button type="submit">Save room settings</button>
      {saved && <output className="small">Saved.</output>}
    </form>
  );
}
