import type { RoomEntry } from "../chat/store.js";
import { navigate } from "../router.js";
import { timeOf, useChat } from "./hooks.js";

export function Sidebar({
  activeId,
  onDialog,
}: {
  activeId: number | null;
  onDialog: (d: "new-room" | "browse" | "direct") => void;
}) {
  const chat = useChat();
  const rooms = chat.sortedRooms();
  return (
    <nav className="sidebar" aria-label="Rooms">
      <div className="sidebar-actions">
        <button type="button" onClick={() => onDialog("new-room")}>
          + New room
        </button>
        <button type="button" onClick={() => onDialog("browse")}>
          Browse
        </button>
        <button type="button" onClick={() => onDialog("direct")}>
          + Direct
        </button>
      </div>
      {chat.unavailableRooms > 0 && (
        <p className="error small pad" role="status">
          {chat.unavailableRooms} {chat.unavailableRooms === 1 ? "room is" : "rooms are"} unavailable right
          now (a database shard does not answer); they come back on their own.
        </p>
      )}
      {!chat.roomsLoaded ? (
        <p className="muted pad">Loading rooms…</p>
      ) : rooms.length === 0 ? (
        <p className="muted pad">No rooms yet. Create one or browse public rooms.</p>
      ) : (
        <ul className="room-list">
          {rooms.map((r) => (
            <RoomItem key={r.room.id} entry={r} active={r.room.id === activeId} />
          ))}
        </ul>
      )}
    </nav>
  );
}

function RoomItem({ entry, active }: { entry: RoomEntry; active: boolean }) {
  const chat = useChat();
  const { room, last, unread, mentions } = entry;
  const title = chat.roomTitle(room);
  const sender = last ? chat.person(last.senderId) : undefined;
  const preview = last
    ? last.deletedAt
      ? "(deleted)"
      : `${last.senderId === chat.me.id ? "You" : (sender?.username ?? "…")}: ${last.body}`
    : room.topic || "No messages yet";
  return (
    <li>
      <a
        href={`/rooms/${room.id}`}
        className={`room-item ${active ? "active" : ""} ${unread > 0 ? "unread" : ""}`}
        aria-current={active ? "page" : undefined}
        data-room-id={room.id}
        onClick={(e) => {
          e.preventDefault();
          navigate(`/rooms/${room.id}`);
        }}
      >
        <span className="room-line">
          <span className="room-name">
            <span aria-hidden="true" className="room-kind">
              {room.kind === "private" ? "🔒" : room.kind === "direct" ? "@" : "#"}
            </span>
            {title}
          </span>
          {last && <time className="muted small">{timeOf(last.createdAt)}</time>}
        </span>
        <span className="room-line">
          <span className="preview">{preview}</span>
          {unread > 0 && (
            <span className={`badge ${mentions > 0 ? "mention" : ""}`}>
              {unread}
              <span className="sr-only"> unread</span>
            </span>
          )}
        </span>
      </a>
    </li>
  );
}
