import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { OperatorConfigError, parseOperatorConfig } from "./config.js";

describe("operator configuration", () => {
  it("has client-go's defaults and is frozen", () => {
    const cfg = parseOperatorConfig([], {});
    expect(cfg).toMatchObject({
      namespace: undefined,
      leaderElect: true,
      leaseNamespace: "default",
      metricsPort: 8080,
      workers: 4,
      logLevel: "info",
      lease: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      platformAdminUrl: undefined,
    });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.lease)).toBe(true);
  });

  it("takes flags over environment", () => {
    const cfg = parseOperatorConfig(["--workers", "8", "--leader-elect=false", "--namespace", "chat"], {
      WORKERS: "2",
      POD_NAMESPACE: "ops",
      LEADER_ELECT: "true",
    });
    expect(cfg).toMatchObject({ workers: 8, leaderElect: false, namespace: "chat", leaseNamespace: "ops" });
  });

  it("refuses bad values, naming each", () => {
    const bad = (argv: string[], env: Record<string, string>) => {
      try {
        parseOperatorConfig(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(OperatorConfigError);
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad([], { WORKERS: "abc" })).toContain('WORKERS: must be an integer from 1 to 64 (got "abc")');
    expect(bad([], { WORKERS: "0" })).toContain("WORKERS");
    expect(bad(["--metrics-port", "99999"], {})).toContain("--metrics-port");
    expect(bad([], { LEADER_ELECT: "yes" })).toContain("LEADER_ELECT: must be true or false");
    expect(bad([], { LOG_LEVEL: "loud" })).toContain("LOG_LEVEL");
    expect(bad([], { PLATFORM_ADMIN_URL: "ftp://x" })).toContain("PLATFORM_ADMIN_URL");
    expect(bad([], { RENEW_DEADLINE_SECONDS: "20" })).toContain(
      "LEASE_DURATION_SECONDS > RENEW_DEADLINE_SECONDS",
    );
    expect(bad(["--wokers", "3"], {})).toContain("wokers");
    // Every problem at once, not the first only.
    const many = bad([], { WORKERS: "abc", METRICS_PORT: "-1" });
    expect(many).toContain("WORKERS");
    expect(many).toContain("METRICS_PORT");
  });

  it("the process exits 2 with the message before it touches a cluster", () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
    const r = spawnSync(process.execPath, ["--import", "tsx", "operator/src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", WORKERS: "abc" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("WORKERS: must be an integer");
  }, 60_000);
});
