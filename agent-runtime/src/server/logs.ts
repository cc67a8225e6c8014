import { open, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { logsQuerySchema } from "../runtime-api.js";
import { readQuery } from "./http.js";

export interface LogsContext {
  logFile: string;
  pollMs: number;
}

const TAIL_BLOCK = 64 * 1024;
const MAX_TAIL_BYTES = 8 * 1024 * 1024;

const logsQuery = logsQuerySchema;

/** The last `lines` lines of a file and the offset they end at (reads backwards in blocks). */
export async function tailFile(path: string, lines: number): Promise<{ text: string; end: number }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { text: "", end: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (lines === 0 || size === 0) return { text: "", end: size };
    const blocks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    while (position > 0 && newlines <= lines && size - position < MAX_TAIL_BYTES) {
      const length = Math.min(TAIL_BLOCK, position);
      position -= length;
      const block = Buffer.alloc(length);
      await handle.read(block, 0, length, position);
      blocks.unshift(block);
      for (const byte of block) if (byte === 10) newlines++;
    }
    const text = Buffer.concat(blocks).toString("utf8");
    const parts = text.split("\n");
    const trailing = parts.at(-1) === "" ? parts.pop() : undefined;
    const kept = parts.slice(-lines).join("\n");
    return { text: trailing === undefined ? kept : `${kept}\n`, end: size };
  } finally {
    await handle.close();
  }
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * `GET /logs?tail=N[&follow=1]`: the last N lines as text; with follow, new lines stream (chunked)
 * until the client leaves. Following polls the file and opens it only for each read, so a client
 * that leaves holds no file handle, and its timer is cleared on `close`.
 */
export async function streamLogs(ctx: LogsContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, logsQuery);
  const follow = query.follow === "1" || query.follow === "true";
  const { text, end } = await tailFile(ctx.logFile, query.tail);
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
  if (!follow) {
    res.end(text);
    return;
  }
  res.write(text);
  let position = end;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const size = await stat(ctx.logFile).then(
          (s) => s.size,
          () => 0,
        );
        if (size < position) position = 0; // truncated or replaced
        if (size > position && !res.destroyed) {
          const chunk = await readRange(ctx.logFile, position, size);
          position += chunk.length;
          res.write(chunk);
        }
      } catch {
        // the next tick retries
      } finally {
        busy = false;
      }
    })();
  }, ctx.pollMs);
  res.on("close", () => clearInterval(timer));
}
