import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime, TOKEN, waitFor } from "../../agent-runtime/test/support.js";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, ORIGIN, userWithSession } from "./identity.js";
import { type RecordingProxy, startRecordingProxy } from "./recording-proxy.js";

const CAP = 64 * 1024;
const CANARY = `file-content-canary-${randomBytes(8).toString("hex")}`;

/** An agent's files through the API, against a real runtime server process (port 9090 contract). */
describe("agent files", () => {
  let app: TestApp;
  let runtime: RuntimeProcess;
  let proxy: RecordingProxy;
  let owner: { id: string; cookie: string };
  let workspaceId: string;
  let agentId: string;
  let ws: string;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        ENCRYPTION_KEY: randomBytes(32).toString("hex"),
        AGENT_FILE_UPLOAD_MAX_BYTES: String(CAP),
      },
    });
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    // The runtime's own cap is far above the API's, so a 413 here is the API's.
    runtime = await startRuntime({ env: { NORA_UPLOAD_MAX_BYTES: String(64 * 1024 * 1024) } });
    ws = runtime.dirs.workspace;
    // Every byte the API sends the runtime passes this relay, which records it.
    proxy = await startRecordingProxy(runtime.port);
    agentId = await agent("running", proxy.url);
  });
  afterAll(async () => {
    await proxy.close();
    await runtime.stop();
    await rm(runtime.dirs.base, { recursive: true, force: true });
    await app.close();
  });

  const agent = (status: string, runtimeUrl: string | null) =>
    insertAgent(app, { workspaceId, status, runtimeUrl, runtimeToken: TOKEN });

  const files = (route: string, id = agentId) => `/api/agents/${id}/files${route}`;
  const q = (root: string, path: string) =>
    `?root=${encodeURIComponent(root)}&path=${encodeURIComponent(path)}`;
  const as = (method: string, path: string, body?: unknown) =>
    call(app, { cookie: owner.cookie }, method, path, body);

  /** POST /files/upload with a raw body, sent in `chunks` (chunked when no length is declared). */
  function upload(
    target: string,
    chunks: Buffer[],
    options: { declare?: number | "none"; contentType?: string; id?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
    const url = new URL(app.url + files(`/upload${target}`, options.id));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const declared = options.declare ?? total;
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: "POST",
        headers: {
          cookie: owner.cookie,
          origin: ORIGIN,
          "content-type": options.contentType ?? "application/octet-stream",
          ...(declared === "none" ? {} : { "content-length": String(declared) }),
        },
      });
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers }),
        );
      });
      // The API answers a refused upload before the client has sent it all: a broken pipe is expected.
      req.on("error", (error) => {
        if (!req.writableEnded || (error as NodeJS.ErrnoException).code !== "EPIPE") reject(error);
      });
      (async () => {
        for (const chunk of chunks) {
          if (req.destroyed) return;
          if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
        }
        req.end();
      })().catch(() => undefined);
    });
  }

  async function snapshot(dir = ws): Promise<string[]> {
    const out: string[] = [];
    for (const entry of await readdir(dir, { recursive: true })) out.push(String(entry));
    return out.sort();
  }
  async function auditCount() {
    const { rows } = await app.db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'agent.%'",
    );
    return rows[0].n as number;
  }

  beforeEach(async () => {
    await rm(ws, { recursive: true, force: true });
    await mkdir(ws, { recursive: true });
  });

  it("lists roots, trees and content, and writes through every write route", async () => {
    const roots = await as("GET", files("/roots"));
    expect(roots.status).toBe(200);
    expect(roots.body.roots).toContainEqual({ name: "workspace", writable: true });
    expect(roots.body.roots).toContainEqual({ name: "config", writable: false });

    expect((await as("POST", files("/mkdir"), { root: "workspace", path: "notes" })).status).toBe(201);
    const put = await as("PUT", files("/content"), {
      root: "workspace",
      path: "notes/a.txt",
      content: CANARY,
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ root: "workspace", path: "notes/a.txt", size: CANARY.length });
    expect(await readFile(join(ws, "notes/a.txt"), "utf8")).toBe(CANARY);

    const tree = await as("GET", files(`/tree${q("workspace", "notes")}`));
    expect(tree.status).toBe(200);
    expect(tree.body.entries).toMatchObject([{ name: "a.txt", path: "notes/a.txt", type: "file" }]);
    const top = await as("GET", files("/tree?root=workspace"));
    expect(top.body).toMatchObject({ path: "", entries: [{ name: "notes", type: "directory" }] });

    const content = await as("GET", files(`/content${q("workspace", "notes/a.txt")}`));
    expect(content.body).toMatchObject({ content: CANARY, encoding: "utf8", size: CANARY.length });

    const mk = await as("POST", files("/mkdir"), { root: "workspace", path: "out/deep" });
    expect(mk.status).toBe(201);
    expect((await stat(join(ws, "out/deep"))).isDirectory()).toBe(true);

    const bytes = randomBytes(40_000);
    const up = await upload(q("workspace", "out/blob.bin"), [bytes]);
    expect(up.status).toBe(201);
    expect(up.body).toEqual({ root: "workspace", path: "out/blob.bin", size: bytes.length });
    expect((await readFile(join(ws, "out/blob.bin"))).equals(bytes)).toBe(true);

    const mv = await as("POST", files("/move"), {
      root: "workspace",
      from: "out/blob.bin",
      to: "out/moved.bin",
    });
    expect(mv.status).toBe(200);
    expect(mv.body).toEqual({ root: "workspace", from: "out/blob.bin", to: "out/moved.bin" });

    const del = await as("DELETE", files(`${q("workspace", "notes")}`));
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ root: "workspace", path: "notes", deleted: true });
    expect(await snapshot()).toEqual(["out", "out/deep", "out/moved.bin"]);
  });

  it("streams a download as an attachment with a safe name, never sniffed", async () => {
    const bytes = Buffer.concat([Buffer.from("<html><script>alert(1)</script>"), randomBytes(300_000)]);
    await writeFile(join(ws, 'we"ird name;.html'), bytes);
    const res = await fetch(app.url + files(`/download${q("workspace", 'we"ird name;.html')}`), {
      headers: { cookie: owner.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="we_ird_name_.html"');
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("refuses traversal, absolute paths and NUL with 400 on every route, changing nothing", async () => {
    await writeFile(join(ws, "keep.txt"), "keep");
    const before = await snapshot();
    const audits = await auditCount();
    const bad = ["../../etc/passwd", "/etc/passwd", "a\u0000b", "ok/../../x", "a\\..\\b"];
    for (const path of bad) {
      const answers = [
        await as("GET", files(`/tree${q("workspace", path)}`)),
        await as("GET", files(`/content${q("workspace", path)}`)),
        await as("GET", files(`/download${q("workspace", path)}`)),
        await as("DELETE", files(q("workspace", path))),
        await as("PUT", files("/content"), { root: "workspace", path, content: "x" }),
        await as("POST", files("/mkdir"), { root: "workspace", path }),
        await as("POST", files("/move"), { root: "workspace", from: "keep.txt", to: path }),
        await as("POST", files("/move"), { root: "workspace", from: path, to: "moved.txt" }),
        await upload(q("workspace", path), [Buffer.from("x")]),
      ];
      for (const res of answers) {
        expect(res.status, path).toBe(400);
        expect(res.body.requestId).toEqual(expect.any(String));
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it("maps the runtime's refusals: symlink escapes 400, read-only 403, missing 404, exists 409", async () => {
    await symlink("/etc", join(ws, "escape"));
    await writeFile(join(ws, "f.txt"), "f");
    const escaped = await as("GET", files(`/content${q("workspace", "escape/hostname")}`));
    expect(escaped.status).toBe(400);
    expect(escaped.body.error).toBe("invalid_path");
    const through = await as("PUT", files("/content"), { root: "workspace", path: "escape/x", content: "x" });
    expect(through.status).toBe(400);

    const ro = await as("PUT", files("/content"), { root: "config", path: "x.json", content: "{}" });
    expect(ro).toMatchObject({ status: 403, body: { error: "read_only_root" } });
    const missing = await as("GET", files(`/content${q("workspace", "nope.txt")}`));
    expect(missing).toMatchObject({ status: 404, body: { error: "file_not_found" } });
    const root = await as("GET", files(`/tree${q("nosuchroot", "")}`));
    expect(root).toMatchObject({ status: 404, body: { error: "unknown_root" } });
    const exists = await as("POST", files("/mkdir"), { root: "workspace", path: "f.txt" });
    expect(exists).toMatchObject({ status: 409, body: { error: "file_exists" } });
    for (const res of [escaped, through, ro, missing, root, exists]) {
      expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
      expect(res.text).not.toContain(String(runtime.port));
    }
  });

  it("caps uploads: a declared length over the cap never reaches the runtime", async () => {
    const sentBefore = proxy.raw().length;
    const res = await upload(q("workspace", "big.bin"), [randomBytes(CAP + 1)]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "file_too_large" });
    expect(proxy.raw().length).toBe(sentBefore);
    expect(await snapshot()).toEqual([]);
  });

  it("caps uploads: a chunked body is cut at the cap, the runtime receiving nothing beyond it", async () => {
    const exact = await upload(q("workspace", "exact.bin"), [randomBytes(CAP)], { declare: "none" });
    expect(exact.status).toBe(201);
    expect(exact.body.size).toBe(CAP);

    const sentBefore = proxy.raw().length;
    const chunks = Array.from({ length: 64 }, () => randomBytes(4096));
    const res = await upload(q("workspace", "big.bin"), chunks, { declare: "none" });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "file_too_large", requestId: expect.any(String) });
    const forwarded = proxy.raw().length - sentBefore;
    // The body bytes up to the cap, plus the request head and chunk framing; never the other 192 KiB.
    expect(forwarded).toBeLessThanOrEqual(CAP + 4096);
    // The runtime drops its partial temporary file once it sees the request cut off.
    await waitFor(async () => ((await snapshot()).length === 1 ? true : undefined), 5000);
    expect(await snapshot()).toEqual(["exact.bin"]);
  });

  it("refuses an upload that is not application/octet-stream", async () => {
    const res = await upload(q("workspace", "j.json"), [Buffer.from("{}")], { contentType: "text/plain" });
    expect(res.status).toBe(415);
    expect(await snapshot()).toEqual([]);
  });

  it("audits every write with root, path and size, never the content", async () => {
    const mark = await app.db.pool.query<{ id: string }>("SELECT coalesce(max(id), 0) AS id FROM audit_log");
    await as("PUT", files("/content"), { root: "workspace", path: "a.txt", content: CANARY });
    await upload(q("workspace", "b.bin"), [Buffer.from(CANARY)]);
    await as("POST", files("/mkdir"), { root: "workspace", path: "d" });
    await as("POST", files("/move"), { root: "workspace", from: "a.txt", to: "d/a.txt" });
    await as("DELETE", files(q("workspace", "d")));
    await as("GET", files(`/content${q("workspace", "b.bin")}`));
    const { rows } = await app.db.pool.query<{
      action: string;
      metadata: Record<string, unknown>;
      actor_user_id: string;
      request_id: string;
    }>(
      "SELECT action, metadata, actor_user_id, request_id FROM audit_log WHERE target_id = $1 AND id > $2 ORDER BY id",
      [agentId, mark.rows[0]?.id],
    );
    expect(rows.map((r) => [r.action, r.metadata])).toEqual([
      ["agent.file_written", { root: "workspace", path: "a.txt", size: CANARY.length }],
      ["agent.file_uploaded", { root: "workspace", path: "b.bin", size: CANARY.length }],
      ["agent.directory_created", { root: "workspace", path: "d" }],
      ["agent.file_moved", { root: "workspace", from: "a.txt", to: "d/a.txt" }],
      ["agent.file_deleted", { root: "workspace", path: "d" }],
    ]);
    expect(rows.every((r) => r.actor_user_id === owner.id && r.request_id)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(CANARY);
    expect(app.logs.text).not.toContain(CANARY);
    expect(app.logs.text).not.toContain(TOKEN);
  });

  it("answers 409 for an agent that is not running and 502 for a runtime that does not answer", async () => {
    const stopped = await as("GET", files("/roots", await agent("stopped", proxy.url)));
    expect(stopped).toMatchObject({ status: 409, body: { error: "agent_not_running" } });

    const closed = createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, "127.0.0.1", () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const gone = await as("GET", files("/roots", await agent("running", `http://127.0.0.1:${port}`)));
    expect(gone.status).toBe(502);
    expect(gone.body).toMatchObject({
      error: "runtime_unreachable",
      requestId: gone.headers.get("x-request-id"),
    });
    expect(gone.text).not.toContain(String(port));
  });
});
