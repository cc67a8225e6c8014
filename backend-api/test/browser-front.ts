import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import type { StreamDoor } from "../src/ws/door.js";

const CHROMIUM = "/usr/bin/chromium";

/** Skipped where Chromium is not installed, except under NORA_CI=1 (.ci/run installs it). */
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.NORA_CI !== "1";

/** Debian's Chromium, headless, with nothing that reaches past loopback on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/**
 * One origin for a browser, as nginx gives it in production: HTTP goes to the API app, upgrades to the
 * stream door (in tests they are two servers). Listens on `port` (chosen before the API starts, so
 * CORS_ORIGINS can name this origin).
 */
export async function startFront(
  port: number,
  apiUrl: string,
  door: StreamDoor,
): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: api.hostname,
        port: api.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: api.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", door.upgrade);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
