import { useEffect, useState } from "react";
import { signOut, type User } from "../api/client.js";
import { ChatStore } from "../chat/store.js";
import { navigate, type Route } from "../router.js";
import { DirectDialog, NewRoomDialog, PublicRoomsDialog } from "./Dialogs.js";
import { StoreContext, useChat } from "./hooks.js";
import { NotificationsPanel } from "./Notifications.js";
import { RoomView } from "./RoomView.js";
import { SearchPanel } from "./Search.js";
import { Sidebar } from "./Sidebar.js";

export type Panel = { kind: "search"; q: string } | { kind: "notifications" } | null;

export function Shell({ me, route }: { me: User; route: Route }) {
  const [store] = useState(() => new ChatStore(me));
  useEffect(() => () => store.close(), [store]);
  return (
    <StoreContext.Provider value={store}>
      <Layout route={route} />
    </StoreContext.Provider>
  );
}

type Dialog = "new-room" | "browse" | "direct" | null;

function Layout({ route }: { route: Route }) {
  const chat = useChat();
  const [panel, setPanel] = useState<Panel>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [query, setQuery] = useState("");
  const roomId = route.name === "room" ? route.roomId : null;
  const unread = [...chat.rooms.values()].reduce((n, r) => n + r.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ChatCluster` : "ChatCluster";
  }, [unread]);

  return (
    <div className={`shell ${roomId ? "has-room" : "no-room"}`}>
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          ChatCluster
        </a>
        {/* biome-ignore lint/a11y/useSemanticElements: React's JSX types have no <search> element yet */}
        <form
          className="search-form"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (query.trim()) setPanel({ kind: "search", q: query.trim() });
          }}
        >
          <input
            type="search"
            aria-label="Search messages"
            placeholder="Search messages"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </form>
        <ConnectionBadge />
        <button
          type="button"
          className="icon-button"
          aria-label={`Notifications, ${chat.notificationsUnread} unread`}
          aria-pressed={panel?.kind === "notifications"}
          onClick={() => setPanel(panel?.kind === "notifications" ? null : { kind: "notifications" })}
        >
          🔔{chat.notificationsUnread > 0 && <span className="badge">{chat.notificationsUnread}</span>}
        </button>
        <span className="me" title={`Signed in as ${chat.me.username}`}>
          {chat.me.displayName || chat.me.username}
        </span>
        <button type="button" onClick={() => void signOut().then(() => navigate("/"))}>
          Sign out
        </button>
      </header>
      <Sidebar activeId={roomId} onDialog={setDialog} />
      <main className="main" aria-label="Conversation">
        {route.name === "room" ? (
          <RoomView key={route.roomId} roomId={route.roomId} jumpTo={route.seq} />
        ) : route.name === "missing" ? (
          <div className="empty">
            <h2>Page not found</h2>
            <p>
              <a href="/">Back to your rooms</a>
            </p>
          </div>
        ) : (
          <div className="empty">
            <h2>Welcome, {chat.me.displayName || chat.me.username}</h2>
            <p className="muted">Pick a room on the left, create one, or start a direct message.</p>
          </div>
        )}
      </main>
      {panel?.kind === "search" && <SearchPanel key={panel.q} q={panel.q} onClose={() => setPanel(null)} />}
      {panel?.kind === "notifications" && <NotificationsPanel onClose={() => setPanel(null)} />}
      {dialog === "new-room" && <NewRoomDialog onClose={() => setDialog(null)} />}
      {dialog === "browse" && <PublicRoomsDialog onClose={() => setDialog(null)} />}
      {dialog === "direct" && <DirectDialog onClose={() => setDialog(null)} />}
    </div>
  );
}

const CONN_TEXT = {
  connecting: "Connecting…",
  online: "Online",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

function ConnectionBadge() {
  const chat = useChat();
  return (
    <span className="conn-group">
      <output
        className={`conn conn-${chat.conn}`}
        data-testid="connection"
        data-state={chat.conn}
        data-syncs={chat.syncs}
        title={chat.connDetail || CONN_TEXT[chat.conn]}
      >
        {CONN_TEXT[chat.conn]}
      </output>
      <button
        type="button"
        className="link small"
        onClick={() => (chat.conn === "offline" ? chat.online() : chat.offline())}
      >
        {chat.conn === "offline" ? "Go online" : "Go offline"}
      </button>
    </span>
  );
}
