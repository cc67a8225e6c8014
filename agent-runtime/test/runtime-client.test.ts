import { appendFile, readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeClient, RuntimeError } from "../src/client/index.js";
import { type RuntimeProcess, startRuntime, TOKEN, waitFor } from "./support.js";

const REQUEST_ID = "req-client-test:0001";

async function failure(promise: Promise<unknown>): Promise<RuntimeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RuntimeError);
  return error as RuntimeError;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** The runtime client against a real runtime server process, every method and every failure class. */
describe("RuntimeClient", () => {
  let runtime: RuntimeProcess;
  let client: RuntimeClient;
  const make = (overrides: Partial<ConstructorParameters<typeof RuntimeClient>[0]> = {}) =>
    new RuntimeClient({
      baseUrl: runtime.url(""),
      token: TOKEN,
      requestId: REQUEST_ID,
      timeoutMs: 5000,
      ...overrides,
    });

  beforeAll(async () => {
    runtime = await startRuntime({
      env: { NORA_CONTENT_MAX_BYTES: "1024", NORA_EXEC_TIMEOUT_MAX_MS: "5000" },
    });
    client = make();
  });
  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it("health, info and metrics", async () => {
    expect(await client.health()).toEqual({ status: "ok" });
    const info = await client.info();
    expect(info).toMatchObject({ family: "openclaw", agentId: "agt_test" });
    expect(info.cpu.count).toBeGreaterThan(0);
    const metrics = await client.metrics();
    expect(metrics.agent.state).toBe("disabled");
    expect(metrics.gateway).toBeNull();
  });

  it("files: roots, put, get, tree, download, upload, mkdir, move, delete", async () => {
    expect((await client.fileRoots()).roots.map((r) => r.name)).toEqual(["workspace", "config", "logs"]);
    expect(await client.makeDirectory({ root: "workspace", path: "notes" })).toEqual({
      root: "workspace",
      path: "notes",
    });
    expect(await client.putFileContent({ root: "workspace", path: "notes/a.txt", content: "hello" })).toEqual(
      {
        root: "workspace",
        path: "notes/a.txt",
        size: 5,
      },
    );
    expect(await client.getFileContent({ root: "workspace", path: "notes/a.txt" })).toMatchObject({
      encoding: "utf8",
      content: "hello",
      size: 5,
    });
    const tree = await client.fileTree({ root: "workspace", path: "notes" });
    expect(tree.entries.map((e) => [e.name, e.type])).toEqual([["a.txt", "file"]]);
    const download = await client.downloadFile({ root: "workspace", path: "notes/a.txt" });
    expect(download.size).toBe(5);
    expect(await readAll(download.body)).toBe("hello");

    const bytes = new Uint8Array(4096).fill(7);
    expect(await client.uploadFile({ root: "workspace", path: "big.bin" }, bytes)).toMatchObject({
      size: 4096,
    });
    const streamed = new Blob([bytes]).stream();
    expect(await client.uploadFile({ root: "workspace", path: "big2.bin" }, streamed)).toMatchObject({
      size: 4096,
    });
    expect((await readFile(join(runtime.dirs.workspace, "big2.bin"))).equals(Buffer.from(bytes))).toBe(true);

    await client.makeDirectory({ root: "workspace", path: "d/e" });
    expect(await client.moveFile({ root: "workspace", from: "big.bin", to: "d/e/big.bin" })).toEqual({
      root: "workspace",
      from: "big.bin",
      to: "d/e/big.bin",
    });
    expect(await client.deleteFile({ root: "workspace", path: "d" })).toMatchObject({ deleted: true });
  });

  it("logs: a tail as text, and a follow stream that sees new lines until aborted", async () => {
    const logFile = join(runtime.dirs.logs, "agent.log");
    await writeFile(logFile, "one\ntwo\nthree\n");
    expect(await client.logs({ tail: 2 })).toBe("two\nthree\n");

    const controller = new AbortController();
    const follow = await client.followLogs({ tail: 1 }, { signal: controller.signal });
    const reader = follow.body.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        seen += decoder.decode(value);
      }
    })().catch(() => undefined);
    await waitFor(() => (seen.includes("three") ? true : undefined));
    // New lines arrive after the client's 5 s deadline would have passed for a plain call.
    await appendFile(logFile, "four\n");
    await waitFor(() => (seen.includes("four") ? true : undefined));
    controller.abort();
    await pump;
    expect(seen).toBe("three\nfour\n");
  });

  it("exec", async () => {
    const result = await client.exec({ argv: ["sh", "-c", "printf out; printf err >&2; exit 3"] });
    expect(result).toMatchObject({ exitCode: 3, stdout: "out", stderr: "err", timedOut: false });
  });

  it("providers sync", async () => {
    const result = await client.syncProviders({
      providers: [
        {
          id: "local",
          api: "openai-completions",
          baseUrl: "http://127.0.0.1:1/v1",
          apiKey: "sk-client-test",
          models: [{ id: "m" }],
        },
      ],
      defaultModel: "local/m",
    });
    expect(result).toEqual({ applied: true, restarted: false, providers: ["local"] });
  });

  describe("runtime errors, in the API's shape with the request id", () => {
    it("401 for a wrong token", async () => {
      const error = await failure(make({ token: "w".repeat(64) }).info());
      expect(error).toMatchObject({ status: 401, code: "unauthorized", requestId: REQUEST_ID });
      expect(error.answered).toBe(true);
      expect(error.message).not.toContain("w".repeat(64));
    });

    it("404 for a missing file", async () => {
      const error = await failure(client.getFileContent({ root: "workspace", path: "missing.txt" }));
      expect(error).toMatchObject({ status: 404, code: "not_found", requestId: REQUEST_ID });
    });

    it("413 for content over the runtime's limit", async () => {
      const error = await failure(
        client.putFileContent({ root: "workspace", path: "x", content: "x".repeat(2048) }),
      );
      expect(error).toMatchObject({ status: 413, code: "too_large", requestId: REQUEST_ID });
    });

    it("415 for a body that is not JSON", async () => {
      // The client always sends JSON; this fetch relabels the body so the runtime's own 415 comes back.
      const relabel: typeof fetch = (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), "content-type": "text/plain" },
        });
      const error = await failure(make({ fetch: relabel }).makeDirectory({ root: "workspace", path: "z" }));
      expect(error).toMatchObject({ status: 415, code: "unsupported_media_type", requestId: REQUEST_ID });
    });

    it("400 for a request the runtime's schema refuses, the request id round-tripped", async () => {
      const error = await failure(client.exec({ argv: ["true"], timeoutMs: 60_000 }));
      expect(error).toMatchObject({ status: 400, code: "invalid_request", requestId: REQUEST_ID });
      expect(error.message).toMatch(/timeoutMs/);
      await waitFor(() =>
        runtime.output().includes(`"msg":"request refused","requestId":"${REQUEST_ID}"`) ? true : undefined,
      );
    });

    it("mints a request id when none (or a malformed one) is given", async () => {
      const anonymous = make({ requestId: undefined, token: "w".repeat(64) });
      const error = await failure(anonymous.info());
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const malformed = await fetch(runtime.url("/info"), {
        headers: { "x-request-id": "bad id\u00e9".repeat(2) },
      });
      const body = (await malformed.json()) as { requestId: string };
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(malformed.headers.get("x-request-id")).toBe(body.requestId);
    });
  });
});

describe("RuntimeClient transport failures", () => {
  const servers: Array<Server | ReturnType<typeof createTcpServer>> = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  const at = (port: number, timeoutMs = 2000) =>
    new RuntimeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      requestId: REQUEST_ID,
      timeoutMs,
    });

  it("an unreachable port is runtime_unreachable (502)", async () => {
    const probe = createTcpServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const error = await failure(at(port).health());
    expect(error).toMatchObject({ status: 502, code: "runtime_unreachable", requestId: REQUEST_ID });
    expect(error.unreachable).toBe(true);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).not.toContain(String(port));
  });

  it("a listener that never answers is runtime_unreachable (504) at the deadline", async () => {
    const silent = createTcpServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    const started = performance.now();
    const error = await failure(at(port, 300).info());
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ status: 504, code: "runtime_unreachable" });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
  });

  it("an answer that stalls midway is cut at the same deadline", async () => {
    const stalling = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":');
    });
    const port = await listen(stalling);
    const error = await failure(at(port, 300).health());
    expect(error).toMatchObject({ status: 504, code: "runtime_unreachable" });
    stalling.closeAllConnections();
  });

  it("never follows a redirect, and sends the token only in a header", async () => {
    const seen: IncomingMessage[] = [];
    const redirecting = createHttpServer((req, res) => {
      seen.push(req);
      res.writeHead(302, { location: "/elsewhere" }).end();
    });
    const port = await listen(redirecting);
    const error = await failure(at(port).info());
    expect(error).toMatchObject({ status: 502, code: "runtime_redirect" });
    expect(seen.map((r) => r.url)).toEqual(["/info"]);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers["x-request-id"]).toBe(REQUEST_ID);
    expect(seen[0]?.url).not.toContain(TOKEN);
  });

  it("an answer outside the contract is runtime_bad_response", async () => {
    const wrong = createHttpServer((req, res) => {
      const body = req.url === "/health" ? '{"status":"maybe"}' : "not json";
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    const port = await listen(wrong);
    expect(await failure(at(port).health())).toMatchObject({ status: 502, code: "runtime_bad_response" });
    expect(await failure(at(port).info())).toMatchObject({ status: 502, code: "runtime_bad_response" });
    const huge = new RuntimeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      timeoutMs: 2000,
      maxResponseBytes: 4,
    });
    expect(await failure(huge.health())).toMatchObject({ code: "runtime_bad_response" });
  });

  it("refuses a token that cannot be a header value, or a URL with credentials", () => {
    expect(() => new RuntimeClient({ baseUrl: "http://127.0.0.1:1", token: "a b", timeoutMs: 1 })).toThrow(
      TypeError,
    );
    expect(() => new RuntimeClient({ baseUrl: "http://u:p@127.0.0.1:1", token: "t", timeoutMs: 1 })).toThrow(
      TypeError,
    );
  });
});
