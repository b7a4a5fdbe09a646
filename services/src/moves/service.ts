// The admin side of room moves: validates and records a move, runs it on this instance
// (the mover holds the lease), aborts, lists. A supervisor on every instance takes over
// moves whose mover died (lease expired): it resumes them or rolls them back.
import { randomBytes } from "node:crypto";
import type { Migration } from "../db/migrate.js";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { Logger } from "../log.js";
import { activateShard } from "../sharding/activate.js";
import type { RoomDirectory, ShardLoad } from "../sharding/directory.js";
import type { ShardSet } from "../sharding/shards.js";
import type { MoveMetrics } from "./metrics.js";
import { type MoverDeps, type MoverOptions, RoomMover } from "./mover.js";
import { isFlipped, isTerminal } from "./state.js";
import { type MoveDto, type MoveRow, MoveStore, toDto } from "./store.js";

export interface MoveServiceDeps {
  catalog: Pool;
  shards: ShardSet;
  directory: RoomDirectory;
  metrics: MoveMetrics;
  log: Logger;
  instanceId: string;
  opts: MoverOptions & { supervisor: boolean; supervisorIntervalMs: number };
  /** The shard schema, applied to a spare on activation (schema.ts). */
  shardMigrations: readonly Migration[];
  /** Indexes for search what the target shard has but its index lacks, after the flip (MoverDeps). */
  reindexAfterFlip: MoverDeps["reindexAfterFlip"];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MoveService {
  readonly store: MoveStore;
  readonly #mover: RoomMover;
  readonly #running = new Map<number, Promise<unknown>>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(private readonly d: MoveServiceDeps) {
    this.store = new MoveStore(d.catalog);
    this.#mover = new RoomMover({ ...d, store: this.store, log: d.log });
  }

  /** A lease owner name unique to one run on this instance. */
  #owner(): string {
    return `${this.d.instanceId}/${randomBytes(4).toString("hex")}`;
  }

  async create(input: { roomId: number; toShard: number; reason?: string | undefined }): Promise<MoveDto> {
    if (!this.d.shards.all().some((s) => s.id === input.toShard)) {
      throw new AppError("CHAT_SHARD_NOT_FOUND", `shard ${input.toShard} is not configured`);
    }
    const [target] = await this.d.catalog.query<RowDataPacket[]>("SELECT state FROM shards WHERE id = ?", [
      input.toShard,
    ]);
    const owner = this.#owner();
    const move = await this.store.create(
      { roomId: input.roomId, toShard: input.toShard, reason: input.reason ?? null },
      owner,
      this.d.opts.leaseMs,
      (dir) => {
        if (dir.shardId === input.toShard) {
          throw new AppError(
            "CHAT_MOVE_INVALID",
            `room ${input.roomId} is already on shard ${input.toShard}`,
          );
        }
        if (String(target[0]?.state) !== "active") {
          throw new AppError("CHAT_MOVE_INVALID", `shard ${input.toShard} is not active; activate it first`);
        }
        if (!this.d.shards.all().some((s) => s.id === dir.shardId)) {
          throw new AppError("CHAT_MOVE_INVALID", `the room's shard ${dir.shardId} is not configured here`);
        }
      },
    );
    this.#start(move.id, owner);
    return toDto(move);
  }

  #start(id: number, owner: string): void {
    if (this.#running.has(id)) return;
    const run = this.#mover
      .run(id, owner)
      .catch((err: unknown) =>
        this.d.log.error({ err, move: id }, "move run failed; the supervisor will retry it"),
      )
      .finally(() => this.#running.delete(id));
    this.#running.set(id, run);
  }

  async get(id: number): Promise<MoveDto> {
    const m = await this.store.get(id);
    if (!m) throw new AppError("CHAT_MOVE_NOT_FOUND");
    return toDto(m);
  }

  async list(open: boolean, limit: number): Promise<MoveDto[]> {
    return (await this.store.list(open, limit)).map(toDto);
  }

  /** Requests an abort and waits (bounded) for the rollback; 409 once flipped. */
  async abort(id: number, waitMs = 15_000): Promise<MoveDto> {
    const m = await this.store.get(id);
    if (!m) throw new AppError("CHAT_MOVE_NOT_FOUND");
    if (m.state === "Aborted" || m.state === "Failed") return toDto(m);
    if (!(await this.store.requestAbort(id))) {
      throw new AppError(
        "CHAT_MOVE_CONFLICT",
        `move ${id} already flipped the room; it can no longer be aborted`,
      );
    }
    const until = Date.now() + waitMs;
    let cur: MoveRow | null = m;
    while (Date.now() < until) {
      cur = await this.store.get(id);
      if (!cur || isTerminal(cur.state) || isFlipped(cur.state)) break;
      // Nobody drives it (its mover died): roll it back here.
      if (await this.store.claim(id, this.#owner(), this.d.opts.leaseMs)) {
        const owned = await this.store.get(id);
        if (owned?.owner) this.#start(id, owned.owner);
      }
      await sleep(50);
    }
    return toDto((cur ?? m) as MoveRow);
  }

  /** POST /admin/shards/:id/activate: migrates the shard and marks it active. */
  activateShard(shardId: number): Promise<ShardLoad> {
    return activateShard(this.d.catalog, this.d.shards, shardId, this.d.shardMigrations, this.d.log);
  }

  /** Takes over moves whose lease expired. */
  async superviseOnce(): Promise<number> {
    let taken = 0;
    for (const id of await this.store.orphans(10)) {
      if (this.#running.has(id)) continue;
      const m = await this.store.get(id);
      if (!m) continue;
      const configured = new Set(this.d.shards.all().map((s) => s.id));
      if (!configured.has(m.fromShard) || !configured.has(m.toShard)) continue;
      const owner = this.#owner();
      if (!(await this.store.claim(id, owner, this.d.opts.leaseMs))) continue;
      this.d.log.warn({ move: id, room: m.roomId, state: m.state }, "taking over a move whose mover stopped");
      this.#start(id, owner);
      taken++;
    }
    return taken;
  }

  /** Sets the open-moves gauges from the catalog (what the ChatRoomMoveStuck alert watches). */
  async refreshOpenGauges(): Promise<void> {
    const s = await this.store.openSummary();
    this.d.metrics.open.set(s.open);
    this.d.metrics.oldestOpenAge.set(s.oldestAgeSeconds);
  }

  start(): void {
    if (!this.d.opts.supervisor || this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#stopped) return;
      this.superviseOnce().catch((err: unknown) => this.d.log.warn({ err }, "move supervisor round failed"));
      this.refreshOpenGauges().catch((err: unknown) =>
        this.d.log.warn({ err }, "open-move gauges not refreshed"),
      );
    }, this.d.opts.supervisorIntervalMs);
    this.#timer.unref();
  }

  /** Waits until move `id` has finished on this instance (tests, benchmarks). */
  async settled(id: number): Promise<void> {
    await this.#running.get(id);
  }

  /** Stops supervising; running moves keep their lease until it expires (another instance continues). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#mover.halt();
    await Promise.race([Promise.allSettled([...this.#running.values()]), sleep(3000)]);
  }
}
