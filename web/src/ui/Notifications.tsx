import { navigate } from "../router.js";
import { timeOf, useChat } from "./hooks.js";

const KIND = { mention: "mentioned you", room_mention: "mentioned @room", dm: "sent you a message" } as const;

export function NotificationsPanel({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  return (
    <aside className="side-panel overlay" aria-label="Notifications">
      <div className="panel-head">
        <h3>Notifications</h3>
        <button type="button" className="link small" onClick={() => void chat.readNotifications("all")}>
          Mark all read
        </button>
        <button type="button" className="icon-button" aria-label="Close notifications" onClick={onClose}>
          ✕
        </button>
      </div>
      {chat.notifications.length === 0 ? (
        <p className="muted">Nothing yet. Mentions and direct messages show up here.</p>
      ) : (
        <ul className="results">
          {chat.notifications.map((n) => {
            const who = chat.person(n.actorId);
            const room = chat.rooms.get(n.roomId)?.room;
            return (
              <li key={n.id} className={n.readAt ? "" : "unread"}>
                <a
                  href={`/rooms/${n.roomId}?m=${n.seq}`}
                  onClick={(e) => {
                    e.preventDefault();
                    void chat.readNotifications([n.id]);
                    navigate(`/rooms/${n.roomId}?m=${n.seq}`);
                    if (matchMedia("(max-width: 720px)").matches) onClose();
                  }}
                >
                  <span className="small">
                    <strong>{who?.username ?? "someone"}</strong> {KIND[n.kind]}
                    {room && n.kind !== "dm" ? ` in ${chat.roomTitle(room)}` : ""}
                    <span className="muted"> · {timeOf(n.createdAt)}</span>
                  </span>
                  <span className="fragment">{n.snippet}</span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
