// EventSink over socket.io. With the Redis adapter, emits and socketsJoin/Leave
// reach sockets on every node, whichever instance made the change.
import type { Server } from "socket.io";
import { type EventArgs, type EventName, type EventSink, roomChannel, userChannel } from "../fanout.js";

type AnyEmitter = { emit: (event: string, ...args: unknown[]) => boolean };

export class SocketSink implements EventSink {
  constructor(private readonly io: Server) {}

  toRoom<E extends EventName>(roomId: number, event: E, ...args: EventArgs<E>): void {
    (this.io.to(roomChannel(roomId)) as unknown as AnyEmitter).emit(event, ...args);
  }

  toUser<E extends EventName>(userId: number, event: E, ...args: EventArgs<E>): void {
    (this.io.to(userChannel(userId)) as unknown as AnyEmitter).emit(event, ...args);
  }

  subscribeUser(userId: number, roomId: number): void {
    this.io.in(userChannel(userId)).socketsJoin(roomChannel(roomId));
  }

  unsubscribeUser(userId: number, roomId: number): void {
    this.io.in(userChannel(userId)).socketsLeave(roomChannel(roomId));
  }

  unsubscribeAll(roomId: number): void {
    this.io.in(roomChannel(roomId)).socketsLeave(roomChannel(roomId));
  }

  endSession(userId: number, sessionId: string): void {
    // The handshake stored the token's claims in socket.data.user (session included);
    // fetchSockets reaches the user's sockets on every node through the adapter.
    void this.io
      .in(userChannel(userId))
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          if ((s.data as { user?: { sessionId?: string } }).user?.sessionId === sessionId) s.disconnect(true);
        }
      })
      .catch(() => {
        // Redis unreachable: those sockets stay until they reconnect, when the handshake refuses the token.
      });
  }
}
