import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, type RuntimeProcess, startRuntime, TOKEN } from "./support.js";

const UPLOAD_CAP = 64 * 1024;

describe("runtime server files", () => {
  let runtime: RuntimeProcess;
  let outside: string;

  beforeAll(async () => {
    runtime = await startRuntime({
      env: { NORA_UPLOAD_MAX_BYTES: String(UPLOAD_CAP), NORA_CONTENT_MAX_BYTES: "4096" },
    });
    const { workspace, base } = runtime.dirs;
    outside = join(base, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "secret.txt"), "outside secret\n");
    await writeFile(join(workspace, "hello.txt"), "hello\n");
    await mkdir(join(workspace, "docs"));
    await writeFile(join(workspace, "docs", "a.md"), "# a\n");
    await symlink(outside, join(workspace, "escape-dir"));
    await symlink(join(outside, "secret.txt"), join(workspace, "escape-file"));
    await symlink("docs/a.md", join(workspace, "inside-link"));
    await writeFile(join(runtime.dirs.logs, "agent.log"), "line\n");
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const get = (path: string) => runtime.call(path);

  it("lists the roots: the workspace writable, config and logs read-only", async () => {
    const response = await get("/files/roots");
    expect(await response.json()).toEqual({
      roots: [
        { name: "workspace", writable: true },
        { name: "config", writable: false },
        { name: "logs", writable: false },
      ],
    });
  });

  it("lists a directory level, directories first", async () => {
    const body = (await (await get("/files/tree?root=workspace")).json()) as {
      entries: { name: string; type: string }[];
    };
    expect(body.entries.map((e) => [e.name, e.type])).toEqual([
      ["docs", "directory"],
      ["escape-dir", "symlink"],
      ["escape-file", "symlink"],
      ["hello.txt", "file"],
      ["inside-link", "symlink"],
    ]);
    const nested = (await (await get("/files/tree?root=workspace&path=docs")).json()) as {
      entries: { path: string }[];
    };
    expect(nested.entries.map((e) => e.path)).toEqual(["docs/a.md"]);
  });

  it("reads content and downloads, following symlinks that stay inside", async () => {
    expect(await (await get("/files/content?root=workspace&path=hello.txt")).json()).toMatchObject({
      content: "hello\n",
      encoding: "utf8",
      size: 6,
    });
    expect(await (await get("/files/content?root=workspace&path=inside-link")).json()).toMatchObject({
      content: "# a\n",
    });
    const download = await get("/files/download?root=workspace&path=docs/a.md");
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="a.md"');
    expect(await download.text()).toBe("# a\n");
    expect(await (await get("/files/content?root=logs&path=agent.log")).json()).toMatchObject({
      content: "line\n",
    });
    expect(await (await get("/files/content?root=config&path=openclaw.json")).json()).toMatchObject({
      encoding: "utf8",
    });
  });

  it.each([
    ["../", "../outside/secret.txt", 400],
    ["a nested ..", "docs/../../outside/secret.txt", 400],
    ["an encoded ..", "%2e%2e%2foutside%2fsecret.txt", 400],
    ["an encoded slash and ..", "docs%2f..%2f..%2foutside%2fsecret.txt", 400],
    ["a double-encoded .. (a literal name)", "%252e%252e%252foutside", 404],
    ["an absolute path", "/etc/passwd", 400],
    ["an encoded absolute path", "%2fetc%2fpasswd", 400],
    ["a NUL byte", "hello.txt%00.png", 400],
    ["a backslash", "..%5coutside", 400],
    ["a symlinked file pointing out", "escape-file", 403],
    ["a path through a symlinked directory pointing out", "escape-dir/secret.txt", 403],
  ])("refuses %s on every read route", async (_label, path, status) => {
    for (const route of ["/files/content", "/files/download", "/files/tree"]) {
      const response = await get(`${route}?root=workspace&path=${path}`);
      expect(response.status, `${route} ${path}`).toBe(status);
      const text = await response.text();
      expect(text).not.toContain("outside secret");
    }
  });

  it("refuses to list a symlinked directory pointing out, and unknown roots", async () => {
    expect((await get("/files/tree?root=workspace&path=escape-dir")).status).toBe(403);
    expect((await get("/files/tree?root=etc&path=")).status).toBe(404);
  });

  it.each([
    ["writing through a symlinked dir", { root: "workspace", path: "escape-dir/new.txt", content: "x" }, 403],
    ["writing with ..", { root: "workspace", path: "../outside/new.txt", content: "x" }, 400],
    ["writing an absolute path", { root: "workspace", path: "/tmp/new.txt", content: "x" }, 400],
    ["writing to a read-only root", { root: "config", path: "openclaw.json", content: "{}" }, 403],
    ["writing to the logs root", { root: "logs", path: "agent.log", content: "" }, 403],
  ])("refuses %s", async (_label, body, status) => {
    const response = await runtime.call("/files/content", { ...json(body), method: "PUT" });
    expect(response.status).toBe(status);
    expect(await readdir(outside)).toEqual(["secret.txt"]);
  });

  it("replaces a symlink on write instead of writing through it", async () => {
    const response = await runtime.call("/files/content", {
      ...json({ root: "workspace", path: "escape-file", content: "replaced" }),
      method: "PUT",
    });
    // The parent is inside the root, so the link itself is replaced by a regular file.
    expect(response.status).toBe(200);
    expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("outside secret\n");
    expect(await readFile(join(runtime.dirs.workspace, "escape-file"), "utf8")).toBe("replaced");
  });

  it("creates directories, writes, moves and deletes inside the workspace", async () => {
    expect((await runtime.call("/files/mkdir", json({ root: "workspace", path: "new/deep" }))).status).toBe(
      201,
    );
    const put = await runtime.call("/files/content", {
      ...json({ root: "workspace", path: "new/deep/file.txt", content: "v1" }),
      method: "PUT",
    });
    expect(await put.json()).toEqual({ root: "workspace", path: "new/deep/file.txt", size: 2 });
    const moved = await runtime.call(
      "/files/move",
      json({ root: "workspace", from: "new/deep/file.txt", to: "new/moved.txt" }),
    );
    expect(moved.status).toBe(200);
    expect(await readFile(join(runtime.dirs.workspace, "new/moved.txt"), "utf8")).toBe("v1");
    const clash = await runtime.call(
      "/files/move",
      json({ root: "workspace", from: "new/moved.txt", to: "hello.txt" }),
    );
    expect(clash.status).toBe(409);
    const outward = await runtime.call(
      "/files/move",
      json({ root: "workspace", from: "new/moved.txt", to: "../x.txt" }),
    );
    expect(outward.status).toBe(400);
    const intoLink = await runtime.call(
      "/files/move",
      json({ root: "workspace", from: "new/moved.txt", to: "escape-dir/x" }),
    );
    expect(intoLink.status).toBe(403);
    const del = await runtime.call("/files?root=workspace&path=new", { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await get("/files/tree?root=workspace&path=new")).status).toBe(404);
  });

  it("deletes a symlink pointing out without touching its target, and never the root", async () => {
    await symlink(outside, join(runtime.dirs.workspace, "to-delete"));
    expect((await runtime.call("/files?root=workspace&path=to-delete", { method: "DELETE" })).status).toBe(
      200,
    );
    expect(await readdir(outside)).toContain("secret.txt");
    expect((await runtime.call("/files?root=workspace&path=", { method: "DELETE" })).status).toBe(400);
    expect((await runtime.call("/files?root=workspace&path=.", { method: "DELETE" })).status).toBe(400);
    expect((await runtime.call("/files?root=config&path=openclaw.json", { method: "DELETE" })).status).toBe(
      403,
    );
  });

  it("writes atomically: concurrent readers see the old or the new file, never a mix", async () => {
    const a = "A".repeat(4000);
    const b = "B".repeat(4000);
    const write = (content: string) =>
      runtime.call("/files/content", {
        ...json({ root: "workspace", path: "atomic.txt", content }),
        method: "PUT",
      });
    await write(a);
    const seen = new Set<string>();
    const readers = (async () => {
      for (let i = 0; i < 100; i++)
        seen.add(await readFile(join(runtime.dirs.workspace, "atomic.txt"), "utf8"));
    })();
    for (let i = 0; i < 30; i++) expect((await write(i % 2 === 0 ? b : a)).status).toBe(200);
    await readers;
    for (const content of seen) expect([a, b]).toContain(content);
    expect((await readdir(runtime.dirs.workspace)).filter((n) => n.includes("nora-tmp"))).toEqual([]);
  });

  it("uploads raw bodies up to the cap", async () => {
    const data = Buffer.alloc(UPLOAD_CAP, 7);
    const response = await runtime.call("/files/upload?root=workspace&path=blob.bin", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: data,
    });
    expect(response.status).toBe(201);
    expect((await readFile(join(runtime.dirs.workspace, "blob.bin"))).equals(data)).toBe(true);
    const content = await (await get("/files/content?root=workspace&path=hello.txt")).json();
    expect(content).toMatchObject({ encoding: "utf8" });
    expect((await get("/files/content?root=workspace&path=blob.bin")).status).toBe(413);
  });

  it("refuses an upload over the cap by its declared length and keeps the old file", async () => {
    const response = await runtime.call("/files/upload?root=workspace&path=blob.bin", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.alloc(UPLOAD_CAP + 1, 1),
    });
    expect(response.status).toBe(413);
    expect((await readFile(join(runtime.dirs.workspace, "blob.bin"))).length).toBe(UPLOAD_CAP);
  });

  it("stops a chunked upload at the cap and leaves no partial or temp file", async () => {
    const outcome = await new Promise<number | string>((resolve) => {
      const req = request(runtime.url("/files/upload?root=workspace&path=chunked.bin"), {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", (error) => resolve((error as NodeJS.ErrnoException).code ?? "error"));
      let sent = 0;
      const pump = () => {
        while (sent < UPLOAD_CAP * 4) {
          sent += 8192;
          if (!req.write(Buffer.alloc(8192, 2))) {
            req.once("drain", pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    // The server answers 413 and closes; a client still sending may see the reset instead.
    expect([413, "ECONNRESET", "EPIPE"]).toContain(outcome);
    await new Promise((r) => setTimeout(r, 100));
    const names = await readdir(runtime.dirs.workspace);
    expect(names).not.toContain("chunked.bin");
    expect(names.filter((n) => n.includes("nora-tmp"))).toEqual([]);
  });
});
