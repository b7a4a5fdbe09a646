// Drives one move through its states (state.ts) under a lease on its room_moves row:
// copy (resumable from persisted cursors, throttled) → catch up (unfenced comparison
// passes) → fence → final sync + verify within the pause bound → flip → clean up.
// Any failure before the flip rolls back (directory back to the source, target copy
// deleted); after the flip it only goes forward.
import { performance } from "node:perf_hooks";
import type { Pool, RowDataPacket } from "../db/pool.js";
import type { Logger } from "../log.js";
import type { RoomDirectory } from "../sharding/directory.js";
import type { ShardSet } from "../sharding/shards.js";
import { isTransient } from "../transient.js";
import {
  checksum,
  checksumSeqSlice,
  copyChunk,
  copyOutbox,
  copyTail,
  deleteRoomRows,
  missingOutbox,
  roomSeq,
  syncRoomRow,
  syncTable,
} from "./copier.js";
import type { MoveMetrics } from "./metrics.js";
import { isFlipped, isTerminal } from "./state.js";
import { LeaseLost, type MoveRow, type MoveStore } from "./store.js";
import {
  addChecksums,
  ROOM_TABLE,
  ROOM_TABLES,
  sameChecksum,
  seqSlices,
  type TableSpec,
  throttleDelayMs,
} from "./tables.js";

export interface MoverOptions {
  maxWritePauseMs: number;
  rowsPerSecond: number;
  batchRows: number;
  leaseMs: number;
  fenceAttempts: number;
}

export interface MoverDeps {
  store: MoveStore;
  catalog: Pool;
  shards: ShardSet;
  directory: RoomDirectory;
  metrics: MoveMetrics;
  log: Logger;
  opts: MoverOptions;
  /**
   * After the flip: indexes for search the room's messages on the target newer than its
   * newest search document (search rows are not copied under the fence). Injected — the
   * app passes search's indexNewer — so moves/ does not depend on search/.
   */
  reindexAfterFlip: (target: Pool, roomId: number) => Promise<number>;
}

/** How far the target is known to have the source's appended rows. */
interface TailMark {
  seq: number;
  outboxId: number;
}

class PauseExceeded extends Error {
  override readonly name = "PauseExceeded";
}
class RollBack extends Error {
  override readonly name = "RollBack";
  constructor(
    readonly outcome: "Aborted" | "Failed",
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_TRANSIENT_RETRIES = 5;
const MAX_CATCH_UP_PASSES = 10;
const MAX_TAIL_PASSES = 3;
const CHECKSUM_SLICES = 3;
const SLICE_MIN_ROWS = 6000;

export class RoomMover {
  #halted = false;
  constructor(private readonly d: MoverDeps) {}

  /** Stops driving moves (shutdown): no rollback; their leases expire and another instance continues. */
  halt(): void {
    this.#halted = true;
  }

  /** Runs move `id` as `owner` (who must hold its lease) until it ends or the lease is lost. */
  async run(id: number, owner: string): Promise<MoveRow | null> {
    const { store, opts } = this.d;
    let lost = false;
    const hb = setInterval(
      () => {
        store.heartbeat(id, owner, opts.leaseMs).then(
          (ok) => {
            if (!ok) lost = true;
          },
          () => {},
        );
      },
      Math.max(100, Math.floor(opts.leaseMs / 3)),
    );
    try {
      return await this.#drive(id, owner, () => lost);
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.d.log.warn({ move: id }, "move lease lost; another instance continues it");
        return null;
      }
      throw err;
    } finally {
      clearInterval(hb);
    }
  }

  async #drive(id: number, owner: string, lost: () => boolean): Promise<MoveRow | null> {
    const { store } = this.d;
    let transient = 0;
    for (;;) {
      const m = await store.get(id);
      if (!m) return null;
      if (isTerminal(m.state)) return m;
      if (m.owner !== owner || lost() || this.#halted) throw new LeaseLost(`lost the lease on move ${id}`);
      const log = this.d.log.child({ move: m.id, room: m.roomId, from: m.fromShard, to: m.toShard });
      try {
        if (m.abortRequested && !isFlipped(m.state)) throw new RollBack("Aborted", "aborted on request");
        await this.#step(m, owner, log);
        transient = 0;
      } catch (err) {
        if (err instanceof LeaseLost) throw err;
        if (this.#halted) throw new LeaseLost("stopping");
        if (isTransient(err) && !isFlipped(m.state) && ++transient <= MAX_TRANSIENT_RETRIES) {
          // Every step is idempotent; a step that died fenced is unfenced by the retry.
          log.warn({ err, state: m.state, retry: transient }, "move step hit a transient error; retrying");
          await sleep(200 * transient);
          continue;
        }
        if (isFlipped(m.state)) {
          // Past the flip the target is the truth: retry the step, never roll back.
          log.warn({ err, state: m.state }, "move step failed after the flip; retrying");
          await sleep(1000);
          continue;
        }
        const outcome = err instanceof RollBack ? err.outcome : "Failed";
        const reason = err instanceof Error ? err.message : String(err);
        log.warn({ err, state: m.state, outcome }, "rolling the move back");
        await this.#rollback(m, owner, outcome, reason);
      }
    }
  }

  async #step(m: MoveRow, owner: string, log: Logger): Promise<void> {
    const { store, opts } = this.d;
    switch (m.state) {
      case "Pending":
        log.info("move started");
        await store.update(m.id, owner, opts.leaseMs, { state: "Copying" });
        return;
      case "Copying":
        await this.#copy(m, owner, log);
        await store.update(m.id, owner, opts.leaseMs, { state: "CatchingUp" });
        return;
      case "CatchingUp":
        await this.#fenceAndFlip(m, owner, log, await this.#catchUp(m, log));
        return;
      case "Fenced":
      case "Verifying":
        // The previous mover died holding the fence: release it and catch up again.
        log.warn({ state: m.state }, "taking over a move that died fenced; releasing the fence");
        await this.#unfence(m, m.fenceEpoch);
        await this.#retryOrFail(m, owner, "the mover died while fenced");
        return;
      case "Flipped":
      case "CleaningUp":
        await this.#cleanUp(m, owner, log);
        return;
      default:
        return;
    }
  }

  #pools(m: MoveRow): { src: Pool; dst: Pool } {
    return { src: this.d.shards.pool(m.fromShard), dst: this.d.shards.pool(m.toShard) };
  }

  async #abortRequested(id: number): Promise<boolean> {
    const [rows] = await this.d.catalog.query<RowDataPacket[]>(
      "SELECT abort_requested FROM room_moves WHERE id = ?",
      [id],
    );
    return Number(rows[0]?.abort_requested) === 1;
  }

  async #copy(m: MoveRow, owner: string, log: Logger): Promise<void> {
    const { store, opts, metrics } = this.d;
    const { src, dst } = this.#pools(m);
    const cursors = { ...m.cursors };
    const started = performance.now();
    let copied = 0;
    let lastAbortCheck = 0;
    const chunk =
      opts.rowsPerSecond > 0
        ? Math.max(1, Math.min(opts.batchRows, Math.ceil(opts.rowsPerSecond / 4)))
        : opts.batchRows;
    if (cursors.rooms !== "done") {
      // A leftover target row (an earlier move's unfinished cleanup) must not be routable.
      await dst.query("UPDATE rooms SET epoch = 0 WHERE id = ?", [m.roomId]);
      await syncRoomRow(src, dst, m.roomId);
      cursors.rooms = "done";
      await store.update(m.id, owner, opts.leaseMs, { cursors, addRows: 1 });
    }
    for (const spec of ROOM_TABLES) {
      let after = cursors[spec.name];
      while (after !== "done") {
        const r = await copyChunk(src, dst, spec, m.roomId, after ?? null, chunk);
        after = r.last ?? "done";
        cursors[spec.name] = after;
        copied += r.rows;
        metrics.rowsCopied.inc(r.rows);
        await store.update(m.id, owner, opts.leaseMs, { cursors, addRows: r.rows });
        if (performance.now() - lastAbortCheck > 250) {
          lastAbortCheck = performance.now();
          if (await this.#abortRequested(m.id)) throw new RollBack("Aborted", "aborted on request");
        }
        const wait = throttleDelayMs(copied, performance.now() - started, opts.rowsPerSecond);
        if (wait > 0) await sleep(wait);
      }
    }
    const secs = (performance.now() - started) / 1000;
    log.info(
      { rows: copied, seconds: secs, rowsPerSecond: secs > 0 ? Math.round(copied / secs) : null },
      "move copy done",
    );
  }

  /**
   * Comparison passes until one re-copies no more than a batch (only the live tail
   * changes) or passes stop shrinking (the room is written faster than a pass).
   */
  async #catchUp(m: MoveRow, log: Logger): Promise<number> {
    const { src, dst } = this.#pools(m);
    let previous = Number.POSITIVE_INFINITY;
    let seqBefore = 0;
    for (let pass = 1; pass <= MAX_CATCH_UP_PASSES; pass++) {
      if (await this.#abortRequested(m.id)) throw new RollBack("Aborted", "aborted on request");
      const started = performance.now();
      seqBefore = await roomSeq(src, m.roomId);
      const rewritten = await this.#syncAll(src, dst, m);
      this.d.metrics.rowsCopied.inc(rewritten);
      log.info({ pass, rewritten }, "move catch-up pass");
      if (rewritten <= this.d.opts.batchRows || (pass >= 3 && rewritten >= previous)) return seqBefore;
      previous = rewritten;
      const wait = throttleDelayMs(rewritten, performance.now() - started, this.d.opts.rowsPerSecond);
      if (wait > 0) await sleep(wait);
    }
    return seqBefore;
  }

  async #syncAll(src: Pool, dst: Pool, m: MoveRow, check?: () => void): Promise<number> {
    const chunk = Math.max(this.d.opts.batchRows, 1000);
    const counts = await Promise.all([
      syncRoomRow(src, dst, m.roomId).then((c) => (c ? 1 : 0)),
      ...ROOM_TABLES.map((spec) => syncTable(src, dst, spec, m.roomId, chunk, check)),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }

  /** `synced`: every message and dedup row with seq at or below it is on the target. */
  async #fenceAndFlip(m: MoveRow, owner: string, log: Logger, synced: number): Promise<void> {
    const { store, opts, catalog, directory, metrics } = this.d;
    const { src, dst } = this.#pools(m);
    const [dir] = await catalog.query<RowDataPacket[]>(
      "SELECT shard_id, epoch, state FROM room_directory WHERE room_id = ?",
      [m.roomId],
    );
    const d = dir[0];
    if (!d || Number(d.shard_id) !== m.fromShard || String(d.state) !== "active") {
      throw new RollBack(
        "Failed",
        `the room's directory entry changed (${d ? `${d.shard_id}/${d.state}` : "gone"})`,
      );
    }
    const fence = Number(d.epoch) + 1;
    await store.update(m.id, owner, opts.leaseMs, { state: "Fenced", fenceEpoch: fence });
    // Cheap unfenced passes right before the fence (until one copies at most a batch), so
    // what is left for the fence is only the last moment's writes.
    let upTo = await this.#tailPass(src, dst, m, { seq: synced, outboxId: 0 }, true);
    for (let i = 1; i < MAX_TAIL_PASSES && upTo.rows + upTo.outbox > opts.batchRows; i++) {
      upTo = await this.#tailPass(src, dst, m, upTo, true);
    }
    const started = performance.now();
    const deadline = started + opts.maxWritePauseMs;
    const check = () => {
      if (performance.now() > deadline) throw new PauseExceeded("the write pause bound was reached");
    };
    // Directory first: writers that refresh now wait for the flip; then the source row's
    // epoch (its row lock lets in-flight send batches finish first) refuses stale routes.
    const [res] = await catalog.query(
      `UPDATE room_directory SET epoch = ?, state = 'moving', updated_at = NOW(3)
        WHERE room_id = ? AND shard_id = ? AND epoch = ? AND state = 'active'`,
      [fence, m.roomId, m.fromShard, fence - 1],
    );
    if ((res as { affectedRows: number }).affectedRows !== 1)
      throw new RollBack("Failed", "the room's directory entry changed");
    await Promise.all([
      directory.publishEpochChange(m.roomId, fence),
      src.query("UPDATE rooms SET epoch = ? WHERE id = ? AND epoch < ?", [fence, m.roomId, fence]),
    ]);
    const fencedAt = performance.now();
    try {
      const tail = await this.#tailPass(src, dst, m, upTo, false);
      const syncedAt = performance.now();
      check();
      const resynced = await this.#verify(src, dst, m, fence, owner, tail.seq, check);
      check();
      const pauseMs = Math.round(performance.now() - started);
      const outcome = await store.flip(m, owner, fence, pauseMs);
      if (outcome === "aborted") throw new RollBack("Aborted", "aborted on request");
      await directory.publishEpochChange(m.roomId, fence + 1);
      metrics.writePause.observe(pauseMs / 1000);
      log.info(
        {
          pauseMs,
          fenceMs: Math.round(fencedAt - started),
          syncMs: Math.round(syncedAt - fencedAt),
          verifyMs: Math.round(performance.now() - syncedAt),
          tailRows: tail.rows,
          outbox: tail.outbox,
          resynced,
          epoch: fence + 1,
        },
        "move flipped",
      );
    } catch (err) {
      if (!(err instanceof PauseExceeded)) throw err;
      await this.#unfence(m, fence);
      metrics.writePause.observe((performance.now() - started) / 1000);
      log.warn({ attempt: m.fenceAttempts + 1 }, "final sync did not fit the write pause bound; unfenced");
      await this.#retryOrFail(m, owner, `the final sync did not fit ${opts.maxWritePauseMs} ms`);
    }
  }

  /**
   * Copies what was appended since `after`, by key: the room row, messages, dedup and
   * search rows with a seq above `after.seq` (the source's counter read before the
   * previous pass), unpublished outbox rows with an id above `after.outboxId`. Returns
   * the source's counter read first and the last outbox id seen (the next pass's `after`).
   * Outbox rows copied before the fence may be published by both relays: one event id,
   * consumers drop the second, and the first arrival of each keeps the room's order.
   * Search rows only unfenced (`search`): best-effort, and the clean-up indexes every
   * message newer than the target's newest doc.
   */
  async #tailPass(
    src: Pool,
    dst: Pool,
    m: MoveRow,
    after: TailMark,
    search: boolean,
  ): Promise<TailMark & { rows: number; outbox: number }> {
    const seq = await roomSeq(src, m.roomId);
    const [room, outbox, ...tails] = await Promise.all([
      syncRoomRow(src, dst, m.roomId).then((c) => (c ? 1 : 0)),
      copyOutbox(src, dst, m.fromShard, m.roomId, after.outboxId),
      ...ROOM_TABLES.filter((t) => t.tail && (search || t.verified)).map((spec) =>
        copyTail(src, dst, spec, m.roomId, after.seq),
      ),
    ]);
    return {
      seq,
      outboxId: outbox.lastId,
      rows: tails.reduce((a, b) => a + b, room),
      outbox: outbox.copied,
    };
  }

  async #retryOrFail(m: MoveRow, owner: string, why: string): Promise<void> {
    const attempts = m.fenceAttempts + 1;
    if (attempts >= this.d.opts.fenceAttempts) {
      throw new RollBack("Failed", `${why} (${attempts} attempts)`);
    }
    await this.d.store.update(m.id, owner, this.d.opts.leaseMs, {
      state: "CatchingUp",
      fenceAttempts: attempts,
      fenceEpoch: null,
    });
  }

  /**
   * Under the fence, after the last write: one count + checksum per verified table per
   * side, all in parallel. Equal is the verification. A table that differs (an edit, a
   * removed reaction, a kick) gets the chunked range comparison, then its checksum again.
   * The target row takes the flip's epoch meanwhile: nothing routes to it before the flip.
   * `top` is the source's seq counter, read under the fence.
   * Returns the tables that had to be re-synced.
   */
  async #verify(
    src: Pool,
    dst: Pool,
    m: MoveRow,
    fence: number,
    owner: string,
    top: number,
    check: () => void,
  ): Promise<string[]> {
    const { store, opts } = this.d;
    const specs: TableSpec[] = [ROOM_TABLE, ...ROOM_TABLES.filter((t) => t.verified)];
    // Large tables with a seq column are summed in slices on parallel connections (the
    // parts combine into exactly the checksum of the whole).
    const side = (pool: Pool, spec: TableSpec) =>
      spec.tail && top >= SLICE_MIN_ROWS
        ? Promise.all(
            seqSlices(top, CHECKSUM_SLICES).map((sl) => checksumSeqSlice(pool, spec, m.roomId, sl)),
          ).then(addChecksums)
        : checksum(pool, spec, m.roomId);
    const compare = (spec: TableSpec) =>
      Promise.all([side(src, spec), side(dst, spec)]).then(([a, b]) => ({ spec, a, b }));
    const [sums, missing] = await Promise.all([
      Promise.all(specs.map(compare)),
      missingOutbox(src, dst, m.fromShard, m.roomId),
      store.update(m.id, owner, opts.leaseMs, { state: "Verifying" }),
      dst.query("UPDATE rooms SET epoch = ? WHERE id = ?", [fence + 1, m.roomId]),
    ]);
    if (missing > 0) {
      // A row that committed after a later id was copied: hand over the whole backlog.
      await copyOutbox(src, dst, m.fromShard, m.roomId);
      const still = await missingOutbox(src, dst, m.fromShard, m.roomId);
      if (still > 0) throw new RollBack("Failed", `verification failed: ${still} outbox rows not copied`);
    }
    const differing = sums.filter((s) => !sameChecksum(s.a, s.b)).map((s) => s.spec);
    if (differing.length === 0) return [];
    check();
    const chunk = Math.max(opts.batchRows, 1000);
    const again = await Promise.all(
      differing.map(async (spec) => {
        if (spec === ROOM_TABLE) await syncRoomRow(src, dst, m.roomId);
        else await syncTable(src, dst, spec, m.roomId, chunk, check);
        return compare(spec);
      }),
    );
    const bad = again.filter((s) => !sameChecksum(s.a, s.b));
    if (bad.length > 0) {
      throw new RollBack(
        "Failed",
        `verification failed: ${bad.map((s) => `${s.spec.name} ${s.a.n}/${s.b.n} rows`).join(", ")}`,
      );
    }
    return differing.map((s) => s.name);
  }

  /** Releases a fence at `fence` (if still held): directory back to active on the source. */
  async #unfence(m: MoveRow, fence: number | null): Promise<void> {
    if (fence === null) return;
    const { src } = this.#pools(m);
    // The source row may still be at the old epoch if the mover died between the two writes.
    await src.query("UPDATE rooms SET epoch = ? WHERE id = ? AND epoch < ?", [fence, m.roomId, fence]);
    await this.d.catalog.query(
      `UPDATE room_directory SET state = 'active', updated_at = NOW(3)
        WHERE room_id = ? AND shard_id = ? AND epoch = ? AND state = 'moving'`,
      [m.roomId, m.fromShard, fence],
    );
    await this.d.directory.publishEpochChange(m.roomId, fence);
  }

  async #rollback(m: MoveRow, owner: string, outcome: "Aborted" | "Failed", reason: string): Promise<void> {
    const { store, opts, catalog, metrics } = this.d;
    // Re-read: the fence may have been taken after `m` was loaded.
    const cur = (await store.get(m.id)) ?? m;
    await this.#unfence(m, cur.fenceEpoch);
    const [dir] = await catalog.query<RowDataPacket[]>(
      "SELECT shard_id FROM room_directory WHERE room_id = ?",
      [m.roomId],
    );
    // Never delete the copy the directory points at.
    if (!dir[0] || Number(dir[0].shard_id) !== m.toShard) {
      await deleteRoomRows(this.#pools(m).dst, m.roomId, opts.batchRows);
    }
    await store.update(m.id, owner, opts.leaseMs, { state: outcome, failure: reason });
    metrics.moves.inc({ outcome: outcome === "Aborted" ? "aborted" : "failed" });
    this.d.log.info({ move: m.id, room: m.roomId, outcome, reason }, "move rolled back");
  }

  async #cleanUp(m: MoveRow, owner: string, log: Logger): Promise<void> {
    const { store, opts, catalog, directory, metrics } = this.d;
    if (m.state === "Flipped") await store.update(m.id, owner, opts.leaseMs, { state: "CleaningUp" });
    const { src, dst } = this.#pools(m);
    if (m.epochAfter !== null) await directory.publishEpochChange(m.roomId, m.epochAfter);
    const indexed = await this.d.reindexAfterFlip(dst, m.roomId);
    const [dir] = await catalog.query<RowDataPacket[]>(
      "SELECT shard_id FROM room_directory WHERE room_id = ?",
      [m.roomId],
    );
    let deleted = 0;
    if (!dir[0] || Number(dir[0].shard_id) !== m.fromShard) {
      deleted = await deleteRoomRows(src, m.roomId, opts.batchRows);
    }
    await store.update(m.id, owner, opts.leaseMs, { state: "Done" });
    metrics.moves.inc({ outcome: "done" });
    log.info({ deletedOnSource: deleted, reindexed: indexed }, "move done");
  }
}
