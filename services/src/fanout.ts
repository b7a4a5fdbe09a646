// How services push changes to connected clients. The realtime layer implements it
// over socket.io (+ Redis adapter, so any instance reaches every node); without a
// realtime layer the sink drops events — the outbox remains the durable record.
import type { ServerToClientEvents } from "./contracts/protocol.js";

export type EventName = keyof ServerToClientEvents;
export type EventArgs<E extends EventName> = Parameters<ServerToClientEvents[E]>;

export interface EventSink {
  toRoom<E extends EventName>(roomId: number, event: E, ...args: EventArgs<E>): void;
  toUser<E extends EventName>(userId: number, event: E, ...args: EventArgs<E>): void;
  /** Subscribes every socket of the user (on any node) to the room's channel. */
  subscribeUser(userId: number, roomId: number): void;
  unsubscribeUser(userId: number, roomId: number): void;
  unsubscribeAll(roomId: number): void;
  /** Disconnects every socket (on any node) that signed in with this session: it was signed out. */
  endSession(userId: number, sessionId: string): void;
}

export const nullSink: EventSink = {
  toRoom() {},
  toUser() {},
  subscribeUser() {},
  unsubscribeUser() {},
  unsubscribeAll() {},
  endSession() {},
};

export const roomChannel = (roomId: number): string => `room:${roomId}`;
export const userChannel = (userId: number): string => `user:${userId}`;
