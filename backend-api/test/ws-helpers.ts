import { createServer, type Server } from "node:http";
import net, { type AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { agentStreams } from "../src/ws/agent-streams.js";
import { createStreamDoor, type StreamDoor, type StreamDoorDependencies } from "../src/ws/door.js";
import type { TestApp } from "./helpers.js";
import type { Caller } from "./identity.js";
import { ORIGIN } from "./identity.js";

/**
 * The stream door on its own loopback listener, built from a test app's config, domain and auth cache
 * exactly as server.ts builds it (the Express app answers plain requests; upgrades come here).
 */
export async function startDoor(
  app: TestApp,
  options: Partial<Pick<StreamDoorDependencies, "keepaliveMs" | "recheckMs" | "streams">> = {},
): Promise<{ url: string; door: StreamDoor; server: Server; close(): Promise<void> }> {
  const door = createStreamDoor({
    config: app.config,
    logger: app.logger,
    domain: app.domain,
    authCache: app.authCache,
    streams: options.streams ?? agentStreams(app.domain, app.config),
    ...(options.keepaliveMs ? { keepaliveMs: options.keepaliveMs } : {}),
    ...(options.recheckMs ? { recheckMs: options.recheckMs } : {}),
  });
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on("upgrade", door.upgrade);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    door,
    server,
    async close() {
      await door.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Refusal = { status: number; body: Record<string, unknown>; headers: Record<string, unknown> };
export type Opened = { ws: WebSocket; messages: Array<Record<string, unknown>>; closed: Promise<CloseInfo> };
export type CloseInfo = { code: number; reason: string };

/** The credentials as a browser (cookie + our Origin, unless told otherwise) or a script (key) sends them. */
export function headersOf(caller: Caller, origin: string | null = ORIGIN): Record<string, string> {
  const headers: Record<string, string> = {};
  if (caller.cookie) {
    headers.cookie = caller.cookie;
    if (origin !== null) headers.origin = origin;
  }
  if (caller.apiKey) headers.authorization = `Bearer ${caller.apiKey}`;
  return headers;
}

/** Opens a WebSocket; resolves with it once open, or with the HTTP refusal the door answered. */
export function openWs(url: string, headers: Record<string, string>): Promise<Opened | Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: Array<Record<string, unknown>> = [];
    const closed = new Promise<CloseInfo>((r) =>
      ws.once("close", (code, reason) => r({ code, reason: String(reason) })),
    );
    ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.once("open", () => resolve({ ws, messages, closed }));
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}"), headers: res.headers }),
      );
    });
    ws.once("error", (error) => {
      if (ws.readyState !== ws.CLOSED) reject(error);
    });
  });
}

export const isRefusal = (r: Opened | Refusal): r is Refusal => "status" in r;

export async function expectOpen(url: string, headers: Record<string, string>): Promise<Opened> {
  const result = await openWs(url, headers);
  if (isRefusal(result)) throw new Error(`refused ${result.status}: ${JSON.stringify(result.body)}`);
  return result;
}

export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A TCP relay on 127.0.0.1 in front of the runtime server this test started: counts the connections
 * open through it and the bytes the runtime sent, and can cut every connection (a runtime failing
 * mid-stream).
 */
export interface CountingRelay {
  url: string;
  open(): number;
  bytesFromUpstream(): number;
  cutAll(): void;
  close(): Promise<void>;
}

export async function startCountingRelay(targetPort: number): Promise<CountingRelay> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let bytes = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    for (const s of pair) s.on("error", () => undefined);
    upstream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", done);
    upstream.on("close", done);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => pairs.size,
    bytesFromUpstream: () => bytes,
    cutAll() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
