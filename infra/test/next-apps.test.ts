import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support.js";

/** Each app's mount point, port and upstream name must agree across next.config.ts, package.json, nginx and compose. */
const APPS = [
  { dir: "frontend-marketing", basePath: undefined, port: 3001 },
  { dir: "frontend-dashboard", basePath: "/app", port: 3002 },
  { dir: "admin-dashboard", basePath: "/admin", port: 3003 },
] as const;

interface AppConfig {
  output?: string;
  poweredByHeader?: boolean;
  reactStrictMode?: boolean;
  basePath?: string;
  outputFileTracingRoot?: string;
}

describe.each(APPS)("$dir", ({ dir, basePath, port }) => {
  it("builds a standalone server traced from the monorepo root, at its nginx path", async () => {
    const module: { default: AppConfig } = await import(
      pathToFileURL(join(REPO_ROOT, dir, "next.config.ts")).href
    );
    expect(module.default).toMatchObject({
      output: "standalone",
      poweredByHeader: false,
      reactStrictMode: true,
    });
    expect(module.default.basePath).toBe(basePath);
    expect(module.default.outputFileTracingRoot).toBe(`${REPO_ROOT}/`);
  });

  it("takes its stylesheet and root layout from @nora/ui, with no copy of its own", async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, dir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies["@nora/ui"]).toBeDefined();
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(REPO_ROOT, dir, "app", "globals.css"))).toBe(false);
    const layout = await readFile(join(REPO_ROOT, dir, "app", "layout.tsx"), "utf8");
    expect(layout).toContain('import "@nora/ui/styles.css";');
    expect(layout).toMatch(/import \{ RootLayout \} from "@nora\/ui";/);
  });

  it("listens on the port nginx and docker-compose expect", async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, dir, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`next start -p ${port}`);
    expect(await readFile(join(REPO_ROOT, "nginx.conf"), "utf8")).toContain(`http://${dir}:${port};`);
    const compose = await readFile(join(REPO_ROOT, "docker-compose.yml"), "utf8");
    expect(compose).toContain(`APP: ${dir}\n        PORT: "${port}"`);
    expect(compose).toContain(`fetch('http://127.0.0.1:${port}${basePath ?? "/"}')`);
  });
});

describe.each(APPS)("$dir renders", ({ dir, basePath }) => {
  it("serves its page from the production build", async () => {
    const appDir = join(REPO_ROOT, dir);
    const { existsSync } = await import("node:fs");
    if (!existsSync(join(appDir, ".next", "BUILD_ID"))) {
      throw new Error(`${dir} is not built; run \`npx turbo run build\` first (\`npm test\` does this)`);
    }
    const { spawnService, freePort } = await import("@nora/core/testing");
    const port = await freePort();
    const next = spawnService(
      join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next"),
      {
        NEXT_TELEMETRY_DISABLED: "1",
        NODE_ENV: "production",
      },
      ["start", "-p", String(port), "-H", "127.0.0.1"],
      appDir,
    );
    try {
      const url = `http://127.0.0.1:${port}${basePath ?? "/"}`;
      let res: Response | undefined;
      for (let i = 0; i < 100 && !res; i++) {
        res = await fetch(url).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 100));
      }
      expect(res?.status).toBe(200);
      const html = (await res?.text()) ?? "";
      expect(html).toContain("Nora");
      // The shared layout: a skip link to the main landmark, and the toast live region.
      expect(html).toContain('<a class="nora-skip-link" href="#nora-main">');
      expect(html).toContain('<main id="nora-main"');
      expect(html).toContain('role="status" aria-live="polite"');
      expect(res?.headers.get("x-powered-by")).toBeNull();
    } finally {
      await next.stop();
    }
  });
});
