import { defineConfig } from "vitest/config";

// web-unit: pure tests and the OpenAPI drift test (no servers).
// web-browser: Debian's Chromium (playwright-core) against the real platform started by
// `make platform-up`; one file at a time, they share the platform.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "web-unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "web-browser",
          include: ["test/browser/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
