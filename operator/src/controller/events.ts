// Kubernetes Events (events.k8s.io/v1) for significant actions. Identical events within five minutes are
// sent once (the API server would only bump a counter), and a failed event never fails a reconcile.
import type { Logger } from "pino";
import type { KubeClient } from "../kube/client.js";
import type { KObject } from "../kube/resources.js";
import type { EventReason } from "./conditions.js";
import { microTime } from "./leader.js";

export interface Recorder {
  event(obj: KObject, type: "Normal" | "Warning", reason: EventReason, message: string): void;
}

export class KubeRecorder implements Recorder {
  private recent = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly instance: string,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  event(obj: KObject, type: "Normal" | "Warning", reason: EventReason, message: string): void {
    const key = `${obj.metadata.uid}/${type}/${reason}/${message}`;
    const t = this.now();
    const last = this.recent.get(key);
    if (last !== undefined && t - last < 300_000) return;
    this.recent.set(key, t);
    if (this.recent.size > 5000) this.recent.clear();
    const ev: KObject = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { generateName: `${obj.metadata.name}-`, namespace: obj.metadata.namespace },
      eventTime: microTime(t),
      type,
      reason,
      action: reason,
      note: message.slice(0, 1024),
      reportingController: "chat.chatcluster.io/operator",
      reportingInstance: this.instance,
      regarding: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
      },
    };
    this.client.create(ev).catch((e) => this.log?.warn({ err: String(e), reason }, "could not record event"));
  }
}

/** Collects events in memory (tests). */
export class MemoryRecorder implements Recorder {
  events: { name?: string; type: string; reason: string; message: string }[] = [];
  event(obj: KObject, type: "Normal" | "Warning", reason: EventReason, message: string): void {
    this.events.push({ name: obj.metadata.name, type, reason, message });
  }
}
