import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support.js";

const run = promisify(execFile);

describe("npm start / npm test preflight", () => {
  it.each(["start-local.mjs", "test.mjs"])(
    "%s stops with a clear message when PostgreSQL and Redis are unreachable",
    async (script) => {
      const result = await run(process.execPath, [join(REPO_ROOT, "scripts", script)], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          DATABASE_URL: "postgres://nora:secret-pass@127.0.0.1:1/nora",
          REDIS_URL: "redis://127.0.0.1:1",
        },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("PostgreSQL is not reachable at postgres://nora:***@127.0.0.1:1/nora");
      expect(result.stderr).toContain("Redis is not reachable at redis://127.0.0.1:1");
      expect(result.stderr).not.toContain("secret-pass");
    },
  );
});
