import { createContext, useContext, useSyncExternalStore } from "react";
import type { ChatStore } from "../chat/store.js";

export const StoreContext = createContext<ChatStore | null>(null);

/** The chat store; the calling component re-renders on every change of it. */
export function useChat(): ChatStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useChat outside <StoreContext>");
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

export const timeOf = (iso: string): string =>
  new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export const dayOf = (iso: string): string =>
  new Date(iso).toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric" });
