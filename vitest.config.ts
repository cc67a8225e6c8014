import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "@nora/source" export condition.
const conditions = ["@nora/source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/src/**/*.test.tsx",
      "packages/*/test/**/*.test.ts",
      "agent-runtime/src/**/*.test.ts",
      "agent-runtime/test/**/*.test.ts",
      "backend-api/src/**/*.test.ts",
      "backend-api/test/**/*.test.ts",
      "workers/*/src/**/*.test.ts",
      "workers/*/test/**/*.test.ts",
      "infra/test/**/*.test.ts",
    ],
    globalSetup: ["packages/core/src/testing/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
