// Move metrics, on the instance's registry. Labels are outcomes only: no room ids.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type MoveMetrics = ReturnType<typeof createMoveMetrics>;

export function createMoveMetrics(registry: Registry) {
  return {
    moves: new Counter({
      name: "chat_room_moves_total",
      help: "Room moves finished, by outcome (done, failed, aborted)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    writePause: new Histogram({
      name: "chat_room_move_write_pause_seconds",
      help: "How long a room's writes were fenced by a move (fence to flip or release)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    // Catalog-wide (every instance reports the same value): alert on max(), not sum().
    open: new Gauge({
      name: "chat_room_moves_open",
      help: "Room moves not finished yet (catalog-wide, refreshed by the move supervisor)",
      registers: [registry],
    }),
    oldestOpenAge: new Gauge({
      name: "chat_room_move_oldest_open_age_seconds",
      help: "Age of the oldest unfinished room move, 0 when none (catalog-wide, refreshed by the move supervisor)",
      registers: [registry],
    }),
    rowsCopied: new Counter({
      name: "chat_room_move_rows_copied_total",
      help: "Rows copied to target shards by room moves",
      registers: [registry],
    }),
  };
}
