import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support.js";

const DOCKER_DIR = join(REPO_ROOT, "infra/docker");

async function dockerfiles(): Promise<Map<string, string>> {
  const names = (await readdir(DOCKER_DIR)).filter((name) => name.endsWith(".Dockerfile"));
  const entries = await Promise.all(
    names.map(async (name) => [name, await readFile(join(DOCKER_DIR, name), "utf8")] as const),
  );
  return new Map(entries);
}

/** Instructions with line continuations joined and comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

describe("infra/docker/*.Dockerfile", () => {
  it("covers the services and the Next.js apps", async () => {
    expect([...(await dockerfiles()).keys()].sort()).toEqual(["next-app.Dockerfile", "service.Dockerfile"]);
  });

  it("builds every stage from one pinned Node 24 slim image", async () => {
    for (const [name, text] of await dockerfiles()) {
      const lines = instructions(text);
      expect(lines[0], name).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/);
      const froms = lines.filter((line) => /^FROM /i.test(line));
      expect(froms.length, name).toBeGreaterThan(1);
      for (const from of froms) expect(from, name).toMatch(/^FROM \$\{NODE_IMAGE\}( AS [a-z-]+)?$/);
    }
  });

  it("uses only what the legacy builder understands", async () => {
    for (const [name, text] of await dockerfiles()) {
      expect(text, name).not.toMatch(/^\s*#\s*syntax=/m);
      expect(text, name).not.toMatch(/--mount=|--chmod=|--link\b|--parents\b/);
      expect(text, name).not.toMatch(/<<-?\s*["']?[A-Z]+/);
    }
  });

  it("never bakes in a CA bundle or secrets, and turns telemetry off", async () => {
    for (const [name, text] of await dockerfiles()) {
      expect(text, name).not.toMatch(/ca-certificates\.crt|NODE_EXTRA_CA_CERTS|NODE_TLS_REJECT_UNAUTHORIZED/);
      expect(text, name).not.toMatch(/^\s*(COPY|ADD)\s.*\.env/m);
      expect(text, name).toContain("NEXT_TELEMETRY_DISABLED=1");
    }
  });

  it("runs the final image as the unprivileged node user with an exec'd node", async () => {
    for (const [name, text] of await dockerfiles()) {
      const lines = instructions(text);
      const finalStage = lines.slice(lines.findLastIndex((line) => /^FROM /i.test(line)));
      expect(finalStage.filter((line) => line.startsWith("USER ")).at(-1), name).toBe("USER node");
      expect(finalStage.at(-1), name).toBe('CMD exec node "$NORA_MAIN"');
      expect(
        finalStage.some((line) => /^ENV .*NODE_ENV=production/.test(line)),
        name,
      ).toBe(true);
    }
  });
});

describe(".dockerignore", () => {
  it("keeps dependencies, build output, git history and every .env out of the build context", async () => {
    const patterns = (await readFile(join(REPO_ROOT, ".dockerignore"), "utf8"))
      .split("\n")
      .map((l) => l.trim());
    for (const pattern of [
      "**/node_modules",
      "**/dist",
      "**/.next",
      ".git",
      ".env",
      ".env.*",
      "**/.env",
      "**/.env.*",
    ]) {
      expect(patterns).toContain(pattern);
    }
    expect(patterns).not.toContain("!.env.example");
  });
});
