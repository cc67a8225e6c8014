import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime } from "./support.js";

/**
 * Well-formed but bad input at the runtime server: every answer is a 4xx with a JSON error, never a
 * 500, and nothing is written. File-system errors become 4xx in one place (fs-errors.ts), so a name
 * the kernel refuses (ENAMETOOLONG: a segment over 255 bytes) is the caller's mistake on every route.
 */
const LONG_NAME = "n".repeat(300);

interface Case {
  route: string;
  path: string;
  init?: RequestInit;
}

const body = (method: string, value: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value),
});

/** Every file route (and exec's cwd) with `name` as the path it acts on. */
function fileRoutes(name: string): Case[] {
  // A lone surrogate has no percent-encoding; those query cases are skipped by the caller.
  const encoded = name.includes("\uD800") ? "" : encodeURIComponent(name);
  const q = `root=workspace&path=${encoded}`;
  return [
    { route: "GET /files/tree", path: `/files/tree?${q}` },
    { route: "GET /files/content", path: `/files/content?${q}` },
    { route: "GET /files/download", path: `/files/download?${q}` },
    {
      route: "PUT /files/content",
      path: "/files/content",
      init: body("PUT", { root: "workspace", path: name, content: "x" }),
    },
    { route: "POST /files/upload", path: `/files/upload?${q}`, init: { method: "POST", body: "x" } },
    {
      route: "POST /files/mkdir",
      path: "/files/mkdir",
      init: body("POST", { root: "workspace", path: name }),
    },
    {
      route: "POST /files/move (from)",
      path: "/files/move",
      init: body("POST", { root: "workspace", from: name, to: "moved.txt" }),
    },
    {
      route: "POST /files/move (to)",
      path: "/files/move",
      init: body("POST", { root: "workspace", from: "hello.txt", to: name }),
    },
    { route: "DELETE /files", path: `/files?${q}`, init: { method: "DELETE" } },
    { route: "POST /exec (cwd)", path: "/exec", init: body("POST", { argv: ["true"], cwd: name }) },
  ];
}

describe("runtime server bad input", () => {
  let runtime: RuntimeProcess;
  let before: string[];

  beforeAll(async () => {
    runtime = await startRuntime();
    await writeFile(join(runtime.dirs.workspace, "hello.txt"), "hello\n");
    before = await readdir(runtime.dirs.workspace);
  });
  afterAll(async () => {
    await runtime.stop();
  });

  async function expectRefused(c: Case, status: number, code?: string) {
    const res = await runtime.call(c.path, c.init);
    const text = await res.text();
    expect(res.status, `${c.route}: ${text}`).toBe(status);
    // The API's error shape: { error: code, message, requestId }.
    const error = JSON.parse(text) as { error: string; message: string; requestId: string };
    if (code) expect(error.error, c.route).toBe(code);
    expect(error.requestId).toBe(res.headers.get("x-request-id"));
    // No absolute path of the server leaks into the message.
    expect(error.message).not.toContain(runtime.dirs.base);
  }

  it.each(fileRoutes(LONG_NAME))("a 300-character name: $route answers 400 name_too_long", async (c) => {
    await expectRefused(c, 400, "name_too_long");
  });

  it.each(fileRoutes(`deeper/${LONG_NAME}/file.txt`))(
    "a 300-character directory inside a path: $route answers 4xx",
    async (c) => {
      const res = await runtime.call(c.path, c.init);
      expect(res.status, c.route).toBeGreaterThanOrEqual(400);
      expect(res.status, c.route).toBeLessThan(500);
    },
  );

  const BAD_STRINGS: Array<[string, string]> = [
    ["a NUL", "a\u0000b"],
    ["a control character", "a\u001bb"],
    ["a lone surrogate", "a\uD800b"],
    ["a path over 4096 characters", "d/".repeat(2100)],
  ];

  it.each(BAD_STRINGS)("%s in a path is refused on every route", async (_label, bad) => {
    for (const c of fileRoutes(bad)) {
      // A lone surrogate cannot travel in a query string (invalid UTF-8 decodes to U+FFFD).
      if (bad.includes("\uD800") && !c.init?.body) continue;
      if (bad.includes("\uD800") && c.route === "POST /files/upload") continue;
      const res = await runtime.call(c.path, c.init);
      expect(res.status, `${c.route}: ${await res.text()}`).toBe(400);
    }
  });

  it.each(BAD_STRINGS.slice(0, 3))("%s in a root name, argv or content is refused", async (_label, bad) => {
    const cases: Case[] = [
      {
        route: "PUT content root",
        path: "/files/content",
        init: body("PUT", { root: bad, path: "x", content: "x" }),
      },
      {
        route: "PUT content",
        path: "/files/content",
        init: body("PUT", { root: "workspace", path: "c.txt", content: bad }),
      },
      { route: "exec argv", path: "/exec", init: body("POST", { argv: ["echo", bad] }) },
    ];
    for (const c of cases) {
      // Content may hold any character but a lone surrogate, which UTF-8 cannot carry; arguments any
      // but NUL and a lone surrogate.
      if (c.route === "PUT content" && !bad.includes("\uD800")) continue;
      if (c.route === "exec argv" && bad.includes("\u001b")) continue;
      await expectRefused(c, 400);
    }
  });

  it.each(fileRoutes("hello.txt/inner"))(
    "a file used as a directory: $route answers 4xx, mapped from ENOTDIR",
    async (c) => {
      const res = await runtime.call(c.path, c.init);
      expect(res.status, `${c.route}: ${await res.text()}`).toBeGreaterThanOrEqual(400);
      expect(res.status, c.route).toBeLessThan(500);
    },
  );

  it("refuses out-of-range numbers", async () => {
    for (const tail of ["-1", "10001", "99999999999999999999", "1e3"]) {
      expect((await runtime.call(`/logs?tail=${tail}`)).status, tail).toBe(400);
    }
    const huge = await runtime.call("/exec", body("POST", { argv: ["true"], timeoutMs: 2 ** 53 }));
    expect(huge.status).toBe(400);
  });

  it("wrote nothing", async () => {
    expect(await readdir(runtime.dirs.workspace)).toEqual(before);
  });
});

describe("runtime request schemas", () => {
  it("use the request primitives, never a raw z.string() or z.coerce", async () => {
    const { readFile } = await import("node:fs/promises");
    const raw: string[] = [];
    for (const file of ["files.ts", "exec.ts", "logs.ts"]) {
      const text = await readFile(new URL(`../src/server/${file}`, import.meta.url), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/\bz\s*\.\s*(string|coerce)\b/.test(line)) raw.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(raw).toEqual([]);
  });
});
