// A tiny history router: the client has five screens, no library needed.
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
window.addEventListener("popstate", notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  notify();
}

const snapshot = () => location.pathname + location.search;

export function useLocation(): URL {
  const href = useSyncExternalStore((fn) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, snapshot);
  return new URL(href, location.origin);
}

export type Route =
  | { name: "home" }
  | { name: "room"; roomId: number; seq: number | null }
  | { name: "ops" }
  | { name: "missing" };

export function match(url: URL): Route {
  const p = url.pathname;
  if (p === "/" || p === "/login") return { name: "home" };
  if (p === "/ops") return { name: "ops" };
  const m = /^\/rooms\/([1-9][0-9]{0,15})$/.exec(p);
  if (m) {
    const seq = url.searchParams.get("m");
    return { name: "room", roomId: Number(m[1]), seq: seq && /^[0-9]+$/.test(seq) ? Number(seq) : null };
  }
  return { name: "missing" };
}
