import { defineConfig } from "vitest/config";

// Unit tests are pure and parallel. Integration tests talk to the real local
// servers started by `make infra-up` / `make cluster-up`; they share those servers,
// so they run one file at a time to keep the 2-core machine from thrashing.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{services,operator,load-test,hack}/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**", "**/dist/**"],
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
    ],
  },
});
