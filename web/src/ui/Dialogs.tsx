import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { api, call, errorText } from "../api/client.js";
import { collator, type Person } from "../chat/store.js";
import type { RoomDto } from "../contracts.js";
import { navigate } from "../router.js";
import { useChat } from "./hooks.js";

/** A modal <dialog>: focus moves into it, Escape closes it, focus returns afterwards. */
export function Modal({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // Start in the first field rather than on the close button.
    d?.querySelector<HTMLElement>("input, select, textarea")?.focus();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className="modal" aria-label={title} onClose={onClose}>
      <div className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ✕
        </button>
      </div>
      {children}
    </dialog>
  );
}

export function NewRoomDialog({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [kind, setKind] = useState<"public" | "private">("public");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    try {
      const room = await call(api.POST("/v1/rooms", { body: { kind, name, ...(topic ? { topic } : {}) } }));
      await chat.adopt(room);
      onClose();
      navigate(`/rooms/${room.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Modal title="New room" onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Topic (optional)
          <input value={topic} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <fieldset>
          <legend>Who can join</legend>
          <label className="inline">
            <input type="radio" name="kind" checked={kind === "public"} onChange={() => setKind("public")} />
            Public — anyone can find and join it
          </label>
          <label className="inline">
            <input
              type="radio"
              name="kind"
              checked={kind === "private"}
              onChange={() => setKind("private")}
            />
            Private — members invite others
          </label>
        </fieldset>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create room
        </button>
      </form>
    </Modal>
  );
}

export function PublicRoomsDialog({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  const [rooms, setRooms] = useState<RoomDto[] | null>(null);
  const [error, setError] = useState("");
  const [filter, setFilter] = useState("");
  useEffect(() => {
    let stop = false;
    // Every page (up to 2,000 rooms), sorted by name for the reader's language.
    void (async () => {
      const all: RoomDto[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const p = await call(
          api.GET("/v1/public-rooms", { params: { query: { limit: "100", ...(after ? { after } : {}) } } }),
        );
        all.push(...p.rooms);
        if (p.nextCursor === null) break;
        after = String(p.nextCursor);
      }
      if (!stop) setRooms(all.sort((a, b) => collator.compare(a.name, b.name)));
    })().catch((e: unknown) => setError(errorText(e)));
    return () => {
      stop = true;
    };
  }, []);
  const needle = filter.trim().toLocaleLowerCase();
  const shown = rooms?.filter((r) => !needle || r.name.toLocaleLowerCase().includes(needle)) ?? null;
  const join = async (room: RoomDto) => {
    setError("");
    try {
      const joined = room.myRole
        ? room
        : await call(api.POST("/v1/rooms/{roomId}/join", { params: { path: { roomId: String(room.id) } } }));
      await chat.adopt(joined);
      onClose();
      navigate(`/rooms/${room.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Modal title="Public rooms" onClose={onClose}>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <label>
        Filter by name
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {shown === null ? (
        <p className="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted">{needle ? "No public room matches." : "No public rooms yet."}</p>
      ) : (
        <ul className="pick-list">
          {shown.map((r) => (
            <li key={r.id}>
              <span>
                <strong># {r.name}</strong>{" "}
                <span className="muted small">
                  {r.memberCount} members{r.topic ? ` · ${r.topic}` : ""}
                </span>
              </span>
              <button type="button" onClick={() => void join(r)}>
                {r.myRole ? "Open" : "Join"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}

/** Finds people by username prefix. */
export function UserPicker({
  label,
  action,
  onPick,
}: {
  label: string;
  action: string;
  onPick: (p: Person) => Promise<void>;
}) {
  const chat = useChat();
  const [prefix, setPrefix] = useState("");
  const [users, setUsers] = useState<Person[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    const q = prefix.trim().toLowerCase();
    if (!q) {
      setUsers([]);
      return;
    }
    const t = setTimeout(() => {
      call(api.GET("/v1/users", { params: { query: { prefix: q, limit: "20" } } }))
        .then((r) => {
          chat.addPeople(r.users);
          setUsers(r.users.filter((u) => u.id !== chat.me.id));
        })
        .catch((e: unknown) => setError(errorText(e)));
    }, 200);
    return () => clearTimeout(t);
  }, [prefix, chat]);
  return (
    <div className="stack">
      <label>
        {label}
        <input value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="username" />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="pick-list">
        {users.map((u) => (
          <li key={u.id}>
            <span>
              <strong>{u.displayName || u.username}</strong>{" "}
              <span className="muted small">@{u.username}</span>
            </span>
            <button
              type="button"
              onClick={() => {
                setError("");
                onPick(u).catch((e: unknown) => setError(errorText(e)));
              }}
            >
              {action} <span className="sr-only">{u.username}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DirectDialog({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  return (
    <Modal title="Direct message" onClose={onClose}>
      <UserPicker
        label="Find a person"
        action="Message"
        onPick={async (u) => {
          const room = await call(api.POST("/v1/rooms/direct", { body: { userId: u.id } }));
          await chat.adopt(room);
          onClose();
          navigate(`/rooms/${room.id}`);
        }}
      />
    </Modal>
  );
}
