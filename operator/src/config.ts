// The operator's configuration, parsed once at start from flags and environment into a
// frozen object (as the platform's services/src/config.ts does). A bad value stops the
// process with exit code 2 and a message naming it: before, WORKERS=abc became NaN
// workers — a Ready operator that never reconciled.
//
// Plain checks rather than zod: the operator image installs only the operator
// workspace's dependencies, and zod is not one of them.
import { parseArgs } from "node:util";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type OperatorConfig = Readonly<{
  /** Kubeconfig file (--kubeconfig / KUBECONFIG); absent = in-cluster service account. */
  kubeconfig: string | undefined;
  /** Namespace to watch (--namespace / WATCH_NAMESPACE); absent = all namespaces. */
  namespace: string | undefined;
  leaderElect: boolean;
  leaseNamespace: string;
  metricsPort: number;
  workers: number;
  logLevel: LogLevel;
  /** POD_NAME, the first part of the leader-election identity (the host name when absent). */
  podName: string | undefined;
  lease: Readonly<{ leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }>;
  /** The platform admin API the rebalancer uses for every cluster (dev loops outside the cluster). */
  platformAdminUrl: string | undefined;
}>;

export class OperatorConfigError extends Error {
  override readonly name = "OperatorConfigError";
}

const OPTIONS = {
  kubeconfig: { type: "string" },
  namespace: { type: "string" },
  "leader-elect": { type: "string" },
  "metrics-port": { type: "string" },
  workers: { type: "string" },
} as const;

/** Parses argv (without node and script) and env; throws OperatorConfigError listing every problem. */
export function parseOperatorConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): OperatorConfig {
  let values: Partial<Record<keyof typeof OPTIONS, string>>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new OperatorConfigError(`invalid configuration:\n  ${(err as Error).message}`);
  }
  const problems: string[] = [];
  const pick = (
    flag: keyof typeof OPTIONS | null,
    key: string,
  ): { name: string; value: string | undefined } => {
    const fromFlag = flag ? values[flag] : undefined;
    if (fromFlag !== undefined) return { name: `--${flag}`, value: fromFlag };
    const v = env[key];
    return { name: key, value: v === "" ? undefined : v };
  };
  const int = (
    flag: keyof typeof OPTIONS | null,
    key: string,
    def: number,
    min: number,
    max: number,
  ): number => {
    const { name, value } = pick(flag, key);
    if (value === undefined) return def;
    const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max} (got "${value}")`);
      return def;
    }
    return n;
  };
  const bool = (flag: keyof typeof OPTIONS | null, key: string, def: boolean): boolean => {
    const { name, value } = pick(flag, key);
    if (value === undefined) return def;
    if (value === "true" || value === "false") return value === "true";
    problems.push(`${name}: must be true or false (got "${value}")`);
    return def;
  };

  const namespace = pick("namespace", "WATCH_NAMESPACE").value;
  const level = pick(null, "LOG_LEVEL").value ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(", ")} (got "${level}")`);
  }
  const platformAdminUrl = pick(null, "PLATFORM_ADMIN_URL").value;
  if (platformAdminUrl !== undefined && !/^https?:\/\/[^/]/.test(platformAdminUrl)) {
    problems.push(`PLATFORM_ADMIN_URL: must be an http(s) URL (got "${platformAdminUrl}")`);
  }
  // Lease timing (seconds); the defaults are client-go's. Tests shorten them.
  const leaseDuration = int(null, "LEASE_DURATION_SECONDS", 15, 1, 3600);
  const renewDeadline = int(null, "RENEW_DEADLINE_SECONDS", 10, 1, 3600);
  const retryPeriod = int(null, "RETRY_PERIOD_SECONDS", 2, 1, 3600);
  // client-go's rules: a leader must renew before its lease lapses, and retry within the deadline.
  if (!(leaseDuration > renewDeadline && renewDeadline > retryPeriod)) {
    problems.push(
      `LEASE_DURATION_SECONDS > RENEW_DEADLINE_SECONDS > RETRY_PERIOD_SECONDS is required (got ${leaseDuration}, ${renewDeadline}, ${retryPeriod})`,
    );
  }
  const cfg: OperatorConfig = {
    kubeconfig: pick("kubeconfig", "KUBECONFIG").value,
    namespace,
    leaderElect: bool("leader-elect", "LEADER_ELECT", true),
    leaseNamespace: env.LEADER_ELECTION_NAMESPACE || env.POD_NAMESPACE || namespace || "default",
    metricsPort: int("metrics-port", "METRICS_PORT", 8080, 0, 65_535),
    workers: int("workers", "WORKERS", 4, 1, 64),
    logLevel: level as LogLevel,
    podName: env.POD_NAME || undefined,
    lease: Object.freeze({
      leaseDurationMs: leaseDuration * 1000,
      renewDeadlineMs: renewDeadline * 1000,
      retryPeriodMs: retryPeriod * 1000,
    }),
    platformAdminUrl,
  };
  if (problems.length > 0)
    throw new OperatorConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return Object.freeze(cfg);
}
