// The signed-in client's state and its connection to the platform: rooms with unread
// counts and last messages, message timelines, typing, presence, read markers and
// notifications. One typed socket.io connection; on every (re)connect it resubscribes
// to the user's rooms and calls `sync {roomId, afterSeq}` for each open timeline, and
// whenever a live message skips a seq — so a client that was away catches up with no
// gap and no duplicate. React reads it through useStore (useSyncExternalStore).
import { io, type Socket } from "socket.io-client";
import { type ApiError, api, auth, call, type User } from "../api/client.js";
import type {
  Ack,
  ClientToServerEvents,
  MemberDto,
  MessageDto,
  NotificationDto,
  PresenceStatus,
  RoomDto,
  ServerToClientEvents,
} from "../contracts.js";
import { advance, emptyTimeline, liveAction, merge, type Timeline, update } from "./timeline.js";

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnState = "connecting" | "online" | "reconnecting" | "offline";

export interface RoomEntry {
  room: RoomDto;
  last: MessageDto | null;
  unread: number;
  mentions: number;
}

export interface Pending {
  clientMsgId: string;
  roomId: number;
  body: string;
  parentSeq: number | null;
  error: string | null;
}

export interface Person {
  id: number;
  username: string;
  displayName: string;
}

const PAGE = 50;
const TYPING_MS = 5000;

export class AckFailure extends Error {
  override readonly name = "AckFailure";
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

function unwrap<T>(res: Ack<T>): T {
  if (res.ok) return res;
  throw new AckFailure(res.error.code, res.error.detail);
}

/** Compares two strings the way people of the page's language expect (Korean, accents, case). */
export const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

export class ChatStore {
  version = 0;
  conn: ConnState = "connecting";
  connDetail = "";
  rooms = new Map<number, RoomEntry>();
  roomsLoaded = false;
  /** Rooms the last listing could not load (their shard did not answer). */
  unavailableRooms = 0;
  timelines = new Map<number, Timeline>();
  pending = new Map<string, Pending>();
  typing = new Map<number, Map<number, { username: string; until: number }>>();
  presence = new Map<number, PresenceStatus>();
  /** Other members' read markers per room (from read:updated). */
  readers = new Map<number, Map<number, number>>();
  people = new Map<number, Person>();
  notifications: NotificationDto[] = [];
  notificationsUnread = 0;
  /** Sync calls made (shown on the connection badge's title; checked by the tests). */
  syncs = 0;
  private listeners = new Set<() => void>();
  private socket: ChatSocket;
  private focused: number | null = null;
  private everConnected = false;
  private syncing = new Map<number, Promise<void>>();
  private peopleLoading = new Set<number>();
  private typingTimer: ReturnType<typeof setInterval>;

  constructor(readonly me: User) {
    this.people.set(me.id, me);
    this.socket = io({
      auth: (cb) => cb({ token: auth.token ?? "" }),
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.wire();
    this.typingTimer = setInterval(() => this.expireTyping(), 1000);
    document.addEventListener("visibilitychange", this.onVisibility);
    void this.loadRooms();
    void this.loadNotifications();
  }

  // ---- subscription (React) ----------------------------------------------------------------
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getVersion = (): number => this.version;
  private emit(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Away while the tab is hidden, online when it is shown again. */
  private onVisibility = (): void => {
    if (!this.socket.connected) return;
    const status = document.visibilityState === "hidden" ? "away" : "online";
    void this.socket
      .timeout(10_000)
      .emitWithAck("presence:set", { status })
      .catch(() => {});
  };

  close(): void {
    document.removeEventListener("visibilitychange", this.onVisibility);
    clearInterval(this.typingTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  /** Drops the connection (tests and the "Go offline" toggle): nothing is received until online(). */
  offline(): void {
    this.socket.disconnect();
    this.setConn("offline", "disconnected by you");
  }
  online(): void {
    this.setConn("reconnecting", "");
    this.socket.connect();
  }

  private setConn(s: ConnState, detail: string): void {
    this.conn = s;
    this.connDetail = detail;
    this.emit();
  }

  // ---- socket events -----------------------------------------------------------------------
  private wire(): void {
    const s = this.socket;
    s.on("connect", () => {
      const again = this.everConnected;
      this.everConnected = true;
      this.setConn("online", "");
      void this.resume(again);
    });
    s.on("disconnect", (reason) => {
      if (this.conn === "offline") return;
      this.setConn("reconnecting", reason);
    });
    s.on("connect_error", (err) => {
      // An expired access token: refresh it and let socket.io retry with the new one.
      const data = (err as Error & { data?: { code?: string } }).data;
      if (data?.code === "CHAT_UNAUTHENTICATED") void auth.refresh();
      if (this.conn !== "offline") this.setConn("reconnecting", err.message);
    });
    s.io.on("reconnect_attempt", () => {
      if (this.conn !== "offline") this.setConn("reconnecting", "");
    });

    s.on("message:created", (m) => this.onLive(m));
    s.on("message:edited", (m) => this.patchMessage(m.roomId, m.seq, () => m));
    s.on("message:deleted", (e) =>
      this.patchMessage(e.roomId, e.seq, (m) => ({ ...m, body: "", deletedAt: e.deletedAt, reactions: [] })),
    );
    s.on("reaction:updated", (e) =>
      this.patchMessage(e.roomId, e.seq, (m) => {
        const others = m.reactions.filter((r) => r.emoji !== e.emoji);
        const reactions = e.count > 0 ? [...others, { emoji: e.emoji, count: e.count }] : others;
        return { ...m, reactions };
      }),
    );
    s.on("read:updated", (e) => {
      if (e.userId === this.me.id) {
        const r = this.rooms.get(e.roomId);
        if (r) {
          r.room = { ...r.room, lastReadSeq: e.lastReadSeq };
          r.unread = Math.max(0, r.room.lastSeq - e.lastReadSeq);
        }
      } else {
        const m = new Map(this.readers.get(e.roomId));
        m.set(e.userId, e.lastReadSeq);
        this.readers.set(e.roomId, m);
      }
      this.emit();
    });
    s.on("typing", (e) => {
      if (e.userId === this.me.id) return;
      const m = new Map(this.typing.get(e.roomId));
      m.set(e.userId, { username: e.username, until: Date.now() + TYPING_MS });
      this.typing.set(e.roomId, m);
      this.emit();
    });
    s.on("presence", (e) => {
      this.presence.set(e.userId, e.status);
      this.emit();
    });
    s.on("room:updated", (r) => {
      const had = this.rooms.get(r.id);
      if (had) had.room = { ...had.room, ...r };
      this.emit();
    });
    s.on("room:added", (e) => void this.refreshRoom(e.roomId, true));
    s.on("room:removed", (e) => this.dropRoom(e.roomId));
    s.on("room:deleted", (e) => this.dropRoom(e.roomId));
    s.on("member:joined", (e) => void this.refreshRoom(e.roomId, false));
    s.on("member:left", (e) => {
      if (e.userId === this.me.id) this.dropRoom(e.roomId);
      else void this.refreshRoom(e.roomId, false);
    });
    s.on("notification:new", (n) => {
      this.notifications = [n, ...this.notifications.filter((x) => x.id !== n.id)];
      if (!n.readAt) this.notificationsUnread++;
      this.emit();
    });
    s.on("notification:unread", (e) => {
      for (const c of e.rooms) {
        const r = this.rooms.get(c.roomId);
        if (!r) continue;
        r.unread = c.unread;
        r.mentions = c.mentions;
        r.room = { ...r.room, lastSeq: Math.max(r.room.lastSeq, c.lastSeq), lastReadSeq: c.lastReadSeq };
      }
      this.emit();
    });
  }

  /** After a (re)connect: subscribe to every room, then fetch what each open timeline missed. */
  private async resume(reconnect: boolean): Promise<void> {
    if (!this.roomsLoaded) await this.loadRooms();
    await Promise.all([...this.rooms.keys()].map((id) => this.subscribeRoom(id)));
    if (this.focused !== null) this.socket.emit("room:focus", { roomId: this.focused });
    if (reconnect) {
      await Promise.all([...this.timelines.keys()].map((id) => this.sync(id)));
      void this.loadRooms();
      void this.loadNotifications();
    }
    this.watchPresence([...this.people.keys()]);
  }

  private async subscribeRoom(roomId: number): Promise<void> {
    const res = await this.socket
      .timeout(10_000)
      .emitWithAck("room:subscribe", { roomId })
      .catch(() => null);
    if (res?.ok) {
      const r = this.rooms.get(roomId);
      if (r) r.room = { ...r.room, ...res.room };
    }
  }

  private onLive(m: MessageDto): void {
    const r = this.rooms.get(m.roomId);
    if (r) {
      r.room = { ...r.room, lastSeq: Math.max(r.room.lastSeq, m.seq) };
      if (!r.last || m.seq >= r.last.seq) r.last = m;
      if (m.senderId !== this.me.id && this.focused !== m.roomId) r.unread++;
    }
    this.learn(m.senderId);
    this.clearTyping(m.roomId, m.senderId);
    const t = this.timelines.get(m.roomId);
    if (t) {
      const act = liveAction(t, m.seq);
      if (act === "append") this.timelines.set(m.roomId, advance(merge(t, [m])));
      else if (act === "gap") void this.sync(m.roomId);
    }
    this.emit();
  }

  private patchMessage(roomId: number, seq: number, fn: (m: MessageDto) => MessageDto): void {
    const t = this.timelines.get(roomId);
    if (t) this.timelines.set(roomId, update(t, seq, fn));
    const r = this.rooms.get(roomId);
    if (r?.last && r.last.seq === seq) r.last = fn(r.last);
    this.emit();
  }

  /** Everything after the timeline's synced seq, page by page; one sync per room at a time. */
  sync(roomId: number): Promise<void> {
    const running = this.syncing.get(roomId);
    if (running) return running.then(() => this.sync(roomId));
    const p = (async () => {
      for (;;) {
        const t = this.timelines.get(roomId);
        if (!t?.attached) return;
        this.syncs++;
        const page = unwrap(
          await this.socket.timeout(15_000).emitWithAck("sync", { roomId, afterSeq: t.synced, limit: 200 }),
        );
        const now = this.timelines.get(roomId) ?? t;
        this.timelines.set(roomId, advance(merge(now, page.messages)));
        for (const m of page.messages) this.learn(m.senderId);
        const r = this.rooms.get(roomId);
        const last = page.messages.at(-1);
        if (r && last && (!r.last || last.seq >= r.last.seq)) r.last = last;
        this.emit();
        if (!page.hasMore) return;
      }
    })()
      .catch(() => {
        // offline again: the next connect syncs
      })
      .finally(() => this.syncing.delete(roomId));
    this.syncing.set(roomId, p);
    return p;
  }

  // ---- rooms -------------------------------------------------------------------------------
  async loadRooms(): Promise<void> {
    const all: RoomDto[] = [];
    const unavailable: number[] = [];
    let after: number | undefined;
    do {
      const page = await call(
        api.GET("/v1/rooms", {
          params: { query: { limit: "100", ...(after ? { after: String(after) } : {}) } },
        }),
      );
      all.push(...page.rooms);
      // `?? []`: a gateway from before this field (during a rolling upgrade) omits it.
      unavailable.push(...(page.unavailableRoomIds ?? []));
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
    const next = new Map<number, RoomEntry>();
    for (const room of all) {
      const had = this.rooms.get(room.id);
      next.set(room.id, {
        room,
        last: had?.last ?? null,
        unread: room.unread ?? 0,
        mentions: had?.mentions ?? 0,
      });
    }
    // A room whose shard does not answer is left out of the page: keep what we knew of it.
    for (const id of unavailable) {
      const had = this.rooms.get(id);
      if (had) next.set(id, had);
    }
    this.rooms = next;
    this.unavailableRooms = unavailable.length;
    this.roomsLoaded = true;
    this.emit();
    // Mention counters (the room listing carries unread counts only).
    const counters = await call(api.GET("/v1/notifications/unread")).catch(() => null);
    for (const c of counters?.rooms ?? []) {
      const r = this.rooms.get(c.roomId);
      if (r) r.mentions = c.mentions;
    }
    if (counters) this.emit();
    // Last message of each room for the list (only rooms with messages; a few at a time).
    const need = all.filter((r) => r.lastSeq > 0 && (next.get(r.id)?.last?.seq ?? 0) < r.lastSeq);
    for (let i = 0; i < need.length; i += 6) {
      await Promise.all(need.slice(i, i + 6).map((r) => this.loadLast(r.id)));
    }
  }

  private async loadLast(roomId: number): Promise<void> {
    const page = await call(
      api.GET("/v1/rooms/{roomId}/messages", {
        params: { path: { roomId: String(roomId) }, query: { limit: "1" } },
      }),
    ).catch(() => null);
    const r = this.rooms.get(roomId);
    const m = page?.messages.at(-1);
    if (r && m) {
      r.last = m;
      this.learn(m.senderId);
      this.emit();
    }
  }

  async refreshRoom(roomId: number, subscribe: boolean): Promise<RoomDto | null> {
    const room = await call(
      api.GET("/v1/rooms/{roomId}", { params: { path: { roomId: String(roomId) } } }),
    ).catch(() => null);
    if (!room) return null;
    if (room.myRole) {
      const had = this.rooms.get(room.id);
      this.rooms.set(room.id, {
        room: { ...had?.room, ...room },
        last: had?.last ?? null,
        unread: room.unread ?? had?.unread ?? 0,
        mentions: had?.mentions ?? 0,
      });
      if (subscribe) await this.subscribeRoom(room.id);
      if (room.lastSeq > 0 && !had?.last) void this.loadLast(room.id);
    }
    this.emit();
    return room;
  }

  private dropRoom(roomId: number): void {
    this.rooms.delete(roomId);
    this.timelines.delete(roomId);
    this.emit();
  }

  /** Adds a room the user just created, joined or opened (and subscribes this socket). */
  async adopt(room: RoomDto): Promise<void> {
    const had = this.rooms.get(room.id);
    this.rooms.set(room.id, { room, last: had?.last ?? null, unread: room.unread ?? 0, mentions: 0 });
    this.emit();
    await this.subscribeRoom(room.id);
  }

  sortedRooms(): RoomEntry[] {
    return [...this.rooms.values()].sort((a, b) => {
      const ta = a.last?.createdAt ?? a.room.updatedAt;
      const tb = b.last?.createdAt ?? b.room.updatedAt;
      return tb.localeCompare(ta) || collator.compare(this.roomTitle(a.room), this.roomTitle(b.room));
    });
  }

  /** A room's display name; a direct room is named after the other person. */
  roomTitle(room: RoomDto): string {
    if (room.kind !== "direct") return room.name;
    // Direct rooms are named "alice, bob" by the server.
    const others = room.name.split(", ").filter((n) => n !== this.me.username);
    return others.join(", ") || room.name;
  }

  // ---- timelines ---------------------------------------------------------------------------
  /** Opens a room at its latest page, or around `seq` when given (a search result). */
  async open(roomId: number, seq?: number): Promise<void> {
    const t = this.timelines.get(roomId);
    if (seq === undefined && t?.attached) return this.sync(roomId);
    if (seq !== undefined && t?.bySeq.has(seq)) return;
    const rid = String(roomId);
    if (seq === undefined) {
      const page = await call(
        api.GET("/v1/rooms/{roomId}/messages", {
          params: { path: { roomId: rid }, query: { limit: String(PAGE) } },
        }),
      );
      const first = page.messages[0]?.seq ?? page.lastSeq + 1;
      let next = merge(
        { ...emptyTimeline(), hasOlder: page.hasMore, attached: true, synced: first - 1 },
        page.messages,
      );
      next = advance(next);
      this.timelines.set(roomId, next);
      this.remember(page.messages);
      this.emit();
      return this.sync(roomId); // anything that arrived while the page loaded
    }
    const [before, after] = await Promise.all([
      call(
        api.GET("/v1/rooms/{roomId}/messages", {
          params: { path: { roomId: rid }, query: { before: String(seq + 1), limit: "25" } },
        }),
      ),
      call(
        api.GET("/v1/rooms/{roomId}/messages", {
          params: { path: { roomId: rid }, query: { after: String(seq), limit: String(PAGE) } },
        }),
      ),
    ]);
    const msgs = [...before.messages, ...after.messages];
    const attached = !after.hasMore;
    let next = merge({ ...emptyTimeline(), hasOlder: before.hasMore, attached, synced: seq - 1 }, msgs);
    next = attached ? advance({ ...next, synced: (before.messages[0]?.seq ?? seq) - 1 }) : next;
    this.timelines.set(roomId, next);
    this.remember(msgs);
    this.emit();
    if (attached) await this.sync(roomId);
  }

  /** Loads the page above the window (infinite scroll upward). */
  async older(roomId: number): Promise<void> {
    const t = this.timelines.get(roomId);
    const first = t?.seqs[0];
    if (!t?.hasOlder || first === undefined) return;
    const page = await call(
      api.GET("/v1/rooms/{roomId}/messages", {
        params: { path: { roomId: String(roomId) }, query: { before: String(first), limit: String(PAGE) } },
      }),
    );
    const now = this.timelines.get(roomId) ?? t;
    this.timelines.set(roomId, { ...merge(now, page.messages), hasOlder: page.hasMore });
    this.remember(page.messages);
    this.emit();
  }

  /** Loads the page below a detached window (after a jump); attaches when it reaches the end. */
  async newer(roomId: number): Promise<void> {
    const t = this.timelines.get(roomId);
    const last = t?.seqs.at(-1);
    if (!t || t.attached || last === undefined) return;
    const page = await call(
      api.GET("/v1/rooms/{roomId}/messages", {
        params: { path: { roomId: String(roomId) }, query: { after: String(last), limit: String(PAGE) } },
      }),
    );
    const now = this.timelines.get(roomId) ?? t;
    let next = merge(now, page.messages);
    if (!page.hasMore) next = advance({ ...next, attached: true, synced: next.seqs[0]! - 1 });
    this.timelines.set(roomId, next);
    this.remember(page.messages);
    this.emit();
    if (next.attached) await this.sync(roomId);
  }

  /** Replies of one thread (older ones may lie outside the window). */
  async loadThread(roomId: number, parentSeq: number): Promise<void> {
    const page = await call(
      api.GET("/v1/rooms/{roomId}/messages", {
        params: {
          path: { roomId: String(roomId) },
          query: { parentSeq: String(parentSeq), limit: "200", after: "0" },
        },
      }),
    );
    const t = this.timelines.get(roomId) ?? emptyTimeline();
    // Thread replies only fill in messages; they never make the window contiguous.
    const bySeq = new Map(t.bySeq);
    for (const m of page.messages) if (!bySeq.has(m.seq)) bySeq.set(m.seq, m);
    const parent = t.bySeq.get(parentSeq);
    if (!parent) {
      const p = await call(
        api.GET("/v1/rooms/{roomId}/messages/{seq}", {
          params: { path: { roomId: String(roomId), seq: String(parentSeq) } },
        }),
      ).catch(() => null);
      if (p) bySeq.set(p.seq, p);
    }
    this.timelines.set(roomId, { ...t, bySeq, seqs: [...bySeq.keys()].sort((a, b) => a - b) });
    this.remember(page.messages);
    this.emit();
  }

  private remember(msgs: readonly MessageDto[]): void {
    for (const m of msgs) this.learn(m.senderId);
  }

  // ---- sending -----------------------------------------------------------------------------
  /** Sends through the socket with a client message id: a retry after a lost ack is stored once. */
  async send(roomId: number, body: string, parentSeq: number | null, retryOf?: string): Promise<void> {
    const clientMsgId = retryOf ?? crypto.randomUUID();
    this.pending.set(clientMsgId, { clientMsgId, roomId, body, parentSeq, error: null });
    this.emit();
    try {
      const res = unwrap(
        await this.socket
          .timeout(20_000)
          .emitWithAck("message:send", { roomId, body, clientMsgId, ...(parentSeq ? { parentSeq } : {}) }),
      );
      this.pending.delete(clientMsgId);
      this.onLive(res.message);
    } catch (err) {
      const p = this.pending.get(clientMsgId);
      if (p)
        p.error =
          err instanceof Error && err.message !== "operation has timed out"
            ? err.message
            : "Not sent: no answer from the server.";
      this.emit();
    }
  }

  retry(clientMsgId: string): void {
    const p = this.pending.get(clientMsgId);
    if (p) void this.send(p.roomId, p.body, p.parentSeq, p.clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.pending.delete(clientMsgId);
    this.emit();
  }

  async edit(roomId: number, seq: number, body: string): Promise<void> {
    const res = unwrap(await this.socket.timeout(15_000).emitWithAck("message:edit", { roomId, seq, body }));
    this.patchMessage(roomId, seq, () => res.message);
  }

  async remove(roomId: number, seq: number): Promise<void> {
    unwrap(await this.socket.timeout(15_000).emitWithAck("message:delete", { roomId, seq }));
  }

  async react(roomId: number, seq: number, emoji: string, add: boolean): Promise<void> {
    const res = unwrap(
      await this.socket
        .timeout(15_000)
        .emitWithAck(add ? "reaction:add" : "reaction:remove", { roomId, seq, emoji }),
    );
    this.patchMessage(roomId, seq, (m) => ({ ...m, reactions: res.reactions }));
  }

  private lastTyping = 0;
  typingIn(roomId: number): void {
    const now = Date.now();
    if (now - this.lastTyping < 2500) return;
    this.lastTyping = now;
    this.socket.emit("typing", { roomId });
  }

  private clearTyping(roomId: number, userId: number): void {
    const m = this.typing.get(roomId);
    if (m?.delete(userId)) this.typing.set(roomId, new Map(m));
  }

  private expireTyping(): void {
    const now = Date.now();
    let changed = false;
    for (const [roomId, m] of this.typing) {
      for (const [uid, t] of m) {
        if (t.until < now) {
          m.delete(uid);
          changed = true;
        }
      }
      if (changed) this.typing.set(roomId, new Map(m));
    }
    if (changed) this.emit();
  }

  /** The room on screen: no notifications for it, and its read marker follows what is shown. */
  focus(roomId: number | null): void {
    this.focused = roomId;
    if (this.socket.connected) this.socket.emit("room:focus", { roomId });
  }

  private marking = new Map<number, number>();
  markRead(roomId: number, seq: number): void {
    const r = this.rooms.get(roomId);
    if (!r || seq <= (r.room.lastReadSeq ?? 0) || seq <= (this.marking.get(roomId) ?? 0)) return;
    this.marking.set(roomId, seq);
    r.room = { ...r.room, lastReadSeq: seq };
    r.unread = Math.max(0, r.room.lastSeq - seq);
    r.mentions = r.unread === 0 ? 0 : r.mentions;
    this.emit();
    void this.socket
      .timeout(10_000)
      .emitWithAck("read:mark", { roomId, seq })
      .then((res) => {
        if (res.ok && r) r.unread = res.unread;
        this.emit();
      })
      .catch(() => {})
      .finally(() => this.marking.delete(roomId));
  }

  // ---- people and presence -----------------------------------------------------------------
  person(id: number): Person | undefined {
    const p = this.people.get(id);
    if (!p) this.learn(id);
    return p;
  }

  private learn(id: number): void {
    if (this.people.has(id) || this.peopleLoading.has(id)) return;
    this.peopleLoading.add(id);
    void call(api.GET("/v1/users/{userId}", { params: { path: { userId: String(id) } } }))
      .then((u) => {
        this.people.set(u.id, u);
        this.watchPresence([u.id]);
        this.emit();
      })
      .catch(() => {})
      .finally(() => this.peopleLoading.delete(id));
  }

  addPeople(list: readonly Person[]): void {
    for (const p of list) this.people.set(p.id, p);
    this.watchPresence(list.map((p) => p.id));
    this.emit();
  }

  private watched = new Set<number>();
  private watchPresence(ids: number[]): void {
    const fresh = ids.filter((id) => !this.watched.has(id) && id !== this.me.id);
    if (!this.socket.connected || fresh.length === 0) return;
    for (const id of fresh) this.watched.add(id);
    void this.socket
      .timeout(10_000)
      .emitWithAck("presence:subscribe", { userIds: fresh.slice(0, 100) })
      .then((res) => {
        if (!res.ok) return;
        const statuses: Record<string, PresenceStatus> = res.statuses;
        for (const [id, st] of Object.entries(statuses)) this.presence.set(Number(id), st);
        this.emit();
      })
      .catch(() => {
        for (const id of fresh) this.watched.delete(id);
      });
  }

  /** Members of a room (first 100), cached: mention suggestions and presence. */
  members = new Map<number, MemberDto[]>();
  async loadMembers(roomId: number): Promise<MemberDto[]> {
    const page = await call(
      api.GET("/v1/rooms/{roomId}/members", {
        params: { path: { roomId: String(roomId) }, query: { limit: "100" } },
      }),
    );
    const sorted = [...page.members].sort((a, b) =>
      collator.compare(a.displayName || a.username, b.displayName || b.username),
    );
    this.members.set(roomId, sorted);
    this.addPeople(sorted.map((m) => ({ id: m.userId, username: m.username, displayName: m.displayName })));
    return sorted;
  }

  // ---- notifications -----------------------------------------------------------------------
  async loadNotifications(): Promise<void> {
    const page = await call(api.GET("/v1/notifications", { params: { query: { limit: "50" } } })).catch(
      (_e: ApiError) => null,
    );
    if (!page) return;
    this.notifications = page.notifications;
    this.notificationsUnread = page.notifications.filter((n) => !n.readAt).length;
    this.emit();
  }

  async readNotifications(ids: number[] | "all"): Promise<void> {
    await call(api.POST("/v1/notifications/read", { body: ids === "all" ? { all: true } : { ids } }));
    const now = new Date().toISOString();
    this.notifications = this.notifications.map((n) =>
      ids === "all" || ids.includes(n.id) ? { ...n, readAt: n.readAt ?? now } : n,
    );
    this.notificationsUnread = this.notifications.filter((n) => !n.readAt).length;
    this.emit();
  }
}
