// room_moves in the catalog: the persisted state of every move. Writes by a mover are
// conditioned on its lease (owner), so a mover that lost its lease to a supervisor
// cannot overwrite the new owner's progress.
import { type Pool, type RowDataPacket, withTransaction } from "../db/pool.js";
import { AppError } from "../errors.js";
import {
  isFlipped,
  isMoveState,
  isTerminal,
  type MoveState,
  predecessors,
  TERMINAL_STATES,
} from "./state.js";
import type { Key } from "./tables.js";

export interface MoveRow {
  id: number;
  roomId: number;
  fromShard: number;
  toShard: number;
  state: MoveState;
  epochBefore: number;
  fenceEpoch: number | null;
  epochAfter: number | null;
  cursors: Record<string, Key | "done">;
  rowsCopied: number;
  fenceAttempts: number;
  writePauseMs: number | null;
  abortRequested: boolean;
  owner: string | null;
  reason: string | null;
  failure: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface MoveDto {
  id: string;
  roomId: number;
  fromShard: number;
  toShard: number;
  state: MoveState;
  epoch: number | null;
  rowsCopied: number;
  writePauseMillis: number | null;
  startTime: string;
  finishTime: string | null;
  reason: string | null;
}

export const toDto = (m: MoveRow): MoveDto => ({
  id: String(m.id),
  roomId: m.roomId,
  fromShard: m.fromShard,
  toShard: m.toShard,
  state: m.state,
  epoch: isFlipped(m.state) ? m.epochAfter : null,
  rowsCopied: m.rowsCopied,
  writePauseMillis: m.writePauseMs,
  startTime: m.startedAt.toISOString(),
  finishTime: m.finishedAt ? m.finishedAt.toISOString() : null,
  reason: m.failure ?? m.reason,
});

function mapRow(r: RowDataPacket): MoveRow {
  const state = String(r.state);
  let cursors: MoveRow["cursors"] = {};
  try {
    cursors = JSON.parse(String(r.cursors)) as MoveRow["cursors"];
  } catch {
    cursors = {};
  }
  return {
    id: Number(r.id),
    roomId: Number(r.room_id),
    fromShard: Number(r.from_shard),
    toShard: Number(r.to_shard),
    state: isMoveState(state) ? state : "Failed",
    epochBefore: Number(r.epoch_before),
    fenceEpoch: r.fence_epoch === null ? null : Number(r.fence_epoch),
    epochAfter: r.epoch_after === null ? null : Number(r.epoch_after),
    cursors,
    rowsCopied: Number(r.rows_copied),
    fenceAttempts: Number(r.fence_attempts),
    writePauseMs: r.write_pause_ms === null ? null : Number(r.write_pause_ms),
    abortRequested: Number(r.abort_requested) === 1,
    owner: r.owner === null ? null : String(r.owner),
    reason: r.reason === null ? null : String(r.reason),
    failure: r.failure === null ? null : String(r.failure),
    startedAt: r.started_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
  };
}

const TERMINAL_SQL = TERMINAL_STATES.map((s) => `'${s}'`).join(", ");

export class LeaseLost extends Error {
  override readonly name = "LeaseLost";
}

export interface MoveUpdate {
  state?: MoveState;
  fenceEpoch?: number | null;
  epochAfter?: number;
  cursors?: MoveRow["cursors"];
  addRows?: number;
  fenceAttempts?: number;
  writePauseMs?: number;
  failure?: string;
}

export class MoveStore {
  constructor(private readonly catalog: Pool) {}

  async get(id: number): Promise<MoveRow | null> {
    const [rows] = await this.catalog.query<RowDataPacket[]>("SELECT * FROM room_moves WHERE id = ?", [id]);
    return rows[0] ? mapRow(rows[0]) : null;
  }

  async list(open: boolean, limit: number): Promise<MoveRow[]> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT * FROM room_moves ${open ? `WHERE state NOT IN (${TERMINAL_SQL})` : ""} ORDER BY id DESC LIMIT ?`,
      [limit],
    );
    return rows.map(mapRow);
  }

  /**
   * Creates a move (owned by `owner` with a fresh lease) unless the room already has an
   * unfinished one: checked under the directory row's lock, so two requests cannot both pass.
   */
  async create(
    input: { roomId: number; toShard: number; reason: string | null },
    owner: string,
    leaseMs: number,
    validate: (dir: { shardId: number; epoch: number; state: string }) => void,
  ): Promise<MoveRow> {
    const id = await withTransaction(this.catalog, async (conn) => {
      const [dir] = await conn.query<RowDataPacket[]>(
        "SELECT shard_id, epoch, state FROM room_directory WHERE room_id = ? FOR UPDATE",
        [input.roomId],
      );
      const d = dir[0];
      if (!d || String(d.state) === "deleted" || String(d.state) === "creating") {
        throw new AppError("CHAT_ROOM_NOT_FOUND");
      }
      const [open] = await conn.query<RowDataPacket[]>(
        `SELECT id FROM room_moves WHERE room_id = ? AND state NOT IN (${TERMINAL_SQL}) LIMIT 1`,
        [input.roomId],
      );
      if (open[0]) {
        throw new AppError(
          "CHAT_MOVE_CONFLICT",
          `room ${input.roomId} already has an unfinished move (${open[0].id})`,
        );
      }
      const dirInfo = { shardId: Number(d.shard_id), epoch: Number(d.epoch), state: String(d.state) };
      validate(dirInfo);
      const [res] = await conn.query(
        `INSERT INTO room_moves (room_id, from_shard, to_shard, state, epoch_before, cursors, owner, lease_until, reason)
         VALUES (?, ?, ?, 'Pending', ?, '{}', ?, NOW(3) + INTERVAL ? MICROSECOND, ?)`,
        [input.roomId, dirInfo.shardId, input.toShard, dirInfo.epoch, owner, leaseMs * 1000, input.reason],
      );
      return Number((res as { insertId: number }).insertId);
    });
    return (await this.get(id)) as MoveRow;
  }

  /** Applies an update if `owner` still holds the lease (and renews it); LeaseLost otherwise. */
  async update(id: number, owner: string, leaseMs: number, u: MoveUpdate): Promise<void> {
    const sets = ["lease_until = NOW(3) + INTERVAL ? MICROSECOND", "updated_at = NOW(3)"];
    const params: unknown[] = [leaseMs * 1000];
    const set = (sql: string, v: unknown) => {
      sets.push(sql);
      params.push(v);
    };
    if (u.state) {
      set("state = ?", u.state);
      if (isTerminal(u.state)) sets.push("finished_at = NOW(3)", "owner = NULL", "lease_until = NULL");
    }
    if (u.fenceEpoch !== undefined) set("fence_epoch = ?", u.fenceEpoch);
    if (u.epochAfter !== undefined) set("epoch_after = ?", u.epochAfter);
    if (u.cursors) set("cursors = ?", JSON.stringify(u.cursors));
    if (u.addRows) set("rows_copied = rows_copied + ?", u.addRows);
    if (u.fenceAttempts !== undefined) set("fence_attempts = ?", u.fenceAttempts);
    if (u.writePauseMs !== undefined) set("write_pause_ms = ?", u.writePauseMs);
    if (u.failure !== undefined) set("failure = ?", u.failure.slice(0, 500));
    // A state change is only applied from a state the machine allows it from (state.ts).
    const [res] = await this.catalog.query(
      `UPDATE room_moves SET ${sets.join(", ")} WHERE id = ? AND owner = ?${u.state ? " AND state IN (?)" : ""}`,
      u.state ? [...params, id, owner, predecessors(u.state)] : [...params, id, owner],
    );
    if ((res as { affectedRows: number }).affectedRows === 0) {
      const cur = await this.get(id);
      if (cur && cur.owner === owner && u.state) {
        throw new Error(`move ${id}: no transition from ${cur.state} to ${u.state}`);
      }
      throw new LeaseLost(`lost the lease on move ${id}`);
    }
  }

  async heartbeat(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const [res] = await this.catalog.query(
      "UPDATE room_moves SET lease_until = NOW(3) + INTERVAL ? MICROSECOND WHERE id = ? AND owner = ?",
      [leaseMs * 1000, id, owner],
    );
    return (res as { affectedRows: number }).affectedRows > 0;
  }

  /** How many moves are unfinished and how old the oldest one is (seconds, catalog clock). */
  async openSummary(): Promise<{ open: number; oldestAgeSeconds: number }> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(started_at), NOW(3)), 0) AS age_us
         FROM room_moves WHERE state NOT IN (${TERMINAL_SQL})`,
    );
    return { open: Number(rows[0]?.n ?? 0), oldestAgeSeconds: Number(rows[0]?.age_us ?? 0) / 1e6 };
  }

  /** Unfinished moves whose lease expired (their mover died), oldest first. */
  async orphans(limit: number): Promise<number[]> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT id FROM room_moves WHERE state NOT IN (${TERMINAL_SQL})
          AND (lease_until IS NULL OR lease_until < NOW(3)) ORDER BY id LIMIT ?`,
      [limit],
    );
    return rows.map((r) => Number(r.id));
  }

  /** Takes over a move whose lease expired. */
  async claim(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const [res] = await this.catalog.query(
      `UPDATE room_moves SET owner = ?, lease_until = NOW(3) + INTERVAL ? MICROSECOND
        WHERE id = ? AND state NOT IN (${TERMINAL_SQL}) AND (lease_until IS NULL OR lease_until < NOW(3))`,
      [owner, leaseMs * 1000, id],
    );
    return (res as { affectedRows: number }).affectedRows > 0;
  }

  /** Asks for an abort; false once the move flipped (or finished). */
  async requestAbort(id: number): Promise<boolean> {
    const [res] = await this.catalog.query(
      `UPDATE room_moves SET abort_requested = 1, updated_at = NOW(3)
        WHERE id = ? AND state NOT IN ('Flipped', 'CleaningUp', ${TERMINAL_SQL})`,
      [id],
    );
    return (res as { affectedRows: number }).affectedRows > 0;
  }

  /**
   * The flip: in one catalog transaction the move becomes Flipped (unless an abort was
   * requested or the lease is gone) and the directory points at the target.
   */
  async flip(m: MoveRow, owner: string, fenceEpoch: number, pauseMs: number): Promise<"flipped" | "aborted"> {
    return withTransaction(this.catalog, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT owner, abort_requested FROM room_moves WHERE id = ? FOR UPDATE",
        [m.id],
      );
      const r = rows[0];
      if (!r || String(r.owner) !== owner) throw new LeaseLost(`lost the lease on move ${m.id}`);
      if (Number(r.abort_requested) === 1) return "aborted";
      const [res] = await conn.query(
        `UPDATE room_directory SET shard_id = ?, epoch = ?, state = 'active', updated_at = NOW(3)
          WHERE room_id = ? AND shard_id = ? AND epoch = ? AND state = 'moving'`,
        [m.toShard, fenceEpoch + 1, m.roomId, m.fromShard, fenceEpoch],
      );
      if ((res as { affectedRows: number }).affectedRows !== 1) {
        throw new Error(`directory of room ${m.roomId} is not fenced at epoch ${fenceEpoch}`);
      }
      await conn.query(
        `UPDATE room_moves SET state = 'Flipped', epoch_after = ?, write_pause_ms = ?, updated_at = NOW(3)
          WHERE id = ?`,
        [fenceEpoch + 1, pauseMs, m.id],
      );
      return "flipped";
    });
  }
}
