import { configDefaults, defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "@nora/source" export condition.
const conditions = ["@nora/source", "module", "node", "development|production"];

const include = [
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
  "frontend-marketing/test/**/*.test.ts",
  "frontend-marketing/test/**/*.test.tsx",
  "frontend-dashboard/src/**/*.test.ts",
  "frontend-dashboard/src/**/*.test.tsx",
  "frontend-dashboard/test/**/*.test.ts",
  "frontend-dashboard/test/**/*.test.tsx",
  "admin-dashboard/src/**/*.test.ts",
  "admin-dashboard/src/**/*.test.tsx",
  "admin-dashboard/test/**/*.test.ts",
];
// Tests against the real Kubernetes test cluster (infra/test-cluster): they run after every other
// test file, so a cold build of the cluster (started in the background by `npm test`) overlaps the rest.
const K8S_TESTS = "**/*.k8s.test.ts";

// What every test file runs with. The projects below do not `extends: true` the root: that would
// run the global setup once more per project; it runs once, in the root project, and the forks of
// both projects inherit the template database it prepares.
const shared = { pool: "forks", testTimeout: 30_000, hookTimeout: 60_000 } as const;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    globalSetup: ["packages/core/src/testing/global-setup.ts"],
    ...shared,
    reporters: ["default"],
    projects: [
      {
        resolve: { conditions },
        ssr: { resolve: { conditions } },
        test: {
          ...shared,
          name: "default",
          include,
          exclude: [...configDefaults.exclude, K8S_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { conditions },
        ssr: { resolve: { conditions } },
        test: {
          ...shared,
          name: "k8s",
          include: include
            .filter((p) => p.endsWith(".test.ts"))
            .map((p) => p.replace(/\.test\.ts$/, ".k8s.test.ts")),
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          // beforeAll waits for infra/test-cluster/build.sh, which on a cold machine may still be
          // building (15-30 min on 2 cores) when this group starts.
          hookTimeout: 40 * 60_000,
        },
      },
    ],
  },
});
