// Shared by the event pipeline integration tests: poll until a condition holds.
import { sleep } from "./client.js";

export type Until = <T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms?: number,
) => Promise<T>;

/** An `until(what, fn, ms?)` that calls `fn` every `pollMs` until it returns a truthy value, or throws after `ms`. */
export function makeUntil(defaultMs: number, pollMs: number): Until {
  return async <T>(
    what: string,
    fn: () => Promise<T | null | undefined | false>,
    ms = defaultMs,
  ): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(pollMs);
    }
  };
}
