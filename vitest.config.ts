import { defineConfig } from "vitest/config";

// Unit tests are pure and parallel. Integration tests talk to the real local
// servers started by `make infra-up` / `make cluster-up`; they share those servers,
// so they run one file at a time to keep the 2-core machine from thrashing. The kind suite
// (*.e2e.test.ts) runs against real pods of the sample ChatCluster on the kind cluster.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{services,operator,load-test,hack}/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**", "**/dist/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{services,operator,load-test,hack}/**/*.int.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Real pods on the kind cluster (hack/kind-up.sh + hack/kind-deploy.sh): one file at a time, each
        // starting from the deployed sample and leaving it healthy.
        test: {
          name: "kind",
          include: ["operator/src/e2e/**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
