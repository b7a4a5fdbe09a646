// The baseline for realtime deliveries: a bare socket.io broadcast server speaking the
// same event names and payload shapes as the platform ("room:subscribe", "message:send"
// with an ack, "message:created" to the room), with nothing behind it — no auth check,
// no database, no Redis adapter (socket.io's in-memory adapter). Whatever the platform
// delivers below this is the cost of its auth, validation, durable write and adapter.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareServer(): Promise<BareServer> {
  const http = createServer();
  const io = new Server(http, {
    maxHttpBufferSize: 1_000_000,
    serveClient: false,
    cors: { origin: true, credentials: false },
  });
  const seqs = new Map<number, number>();
  io.on("connection", (socket) => {
    const userId = Number(socket.id.length);
    socket.on("room:subscribe", (p: { roomId?: unknown }, ack?: (r: unknown) => void) => {
      const roomId = Number(p?.roomId);
      if (!Number.isSafeInteger(roomId)) return ack?.({ ok: false, error: { code: "BAD" } });
      void socket.join(`room:${roomId}`);
      ack?.({ ok: true, room: { id: roomId } });
    });
    socket.on(
      "message:send",
      (p: { roomId?: unknown; body?: unknown; clientMsgId?: unknown }, ack?: (r: unknown) => void) => {
        const roomId = Number(p?.roomId);
        if (!Number.isSafeInteger(roomId) || typeof p?.body !== "string") {
          return ack?.({ ok: false, error: { code: "BAD" } });
        }
        const seq = (seqs.get(roomId) ?? 0) + 1;
        seqs.set(roomId, seq);
        const message = {
          id: `${roomId}:${seq}`,
          roomId,
          seq,
          senderId: userId,
          body: p.body,
          parentSeq: null,
          mentions: [],
          clientMsgId: typeof p.clientMsgId === "string" ? p.clientMsgId : null,
          createdAt: new Date().toISOString(),
          editedAt: null,
          deletedAt: null,
          reactions: [],
        };
        // Same order as the platform: fan out, then ack the sender.
        io.to(`room:${roomId}`).emit("message:created", message);
        ack?.({ ok: true, id: message.id, seq, duplicate: false, message });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        io.disconnectSockets(true);
        void io.close(() => resolve());
      }),
  };
}
