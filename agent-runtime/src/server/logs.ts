import { open, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { logsQuerySchema } from "../runtime-api.js";
import { writeWithBackpressure } from "./backpressure.js";
import { HttpError, readQuery } from "./http.js";

export interface LogsContext {
  /** The dashboard's is null when the runtime has no dashboard process. */
  logFiles: { agent: string; dashboard: string | null };
  pollMs: number;
  /** A follower that has had no room for this long is dropped. */
  stallMs: number;
}

const TAIL_BLOCK = 64 * 1024;
/** Follow reads at most this much at a time, and only once the client has taken the last chunk. */
const READ_CHUNK = 64 * 1024;
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

/**
 * `GET /logs?tail=N[&follow=1]`: the last N lines as text; with follow, new lines stream (chunked)
 * until the client leaves. Following polls the file and opens it only for each round of reads, so a
 * client that leaves holds no file handle. The file itself is the backlog: the server reads the next
 * chunk only once the client has taken the previous one, and drops a client that has had no room for
 * `stallMs` (docs/runtime-contract.md).
 */
export async function streamLogs(ctx: LogsContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, logsQuery);
  const follow = query.follow === "1" || query.follow === "true";
  const logFile = ctx.logFiles[query.process];
  if (logFile === null) throw new HttpError(404, "not_found", "this runtime has no dashboard process");
  const { text, end } = await tailFile(logFile, query.tail);
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
  if (!follow) {
    res.end(text);
    return;
  }
  const policy = {
    stallMs: ctx.stallMs,
    onStall: () =>
      process.stdout.write(
        `${JSON.stringify({ level: "warn", msg: "log follower dropped", reason: "stalled", stallMs: ctx.stallMs })}\n`,
      ),
  };
  let connected = await writeWithBackpressure(res, text, policy);
  let position = end;
  const closed = new Promise<void>((resolve) => res.once("close", resolve));
  while (connected) {
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, ctx.pollMs))]);
    if (res.destroyed) return;
    try {
      const size = await stat(logFile).then(
        (s) => s.size,
        () => 0,
      );
      if (size < position) position = 0; // truncated or replaced
      if (size === position) continue;
      const handle = await open(logFile, "r");
      try {
        while (connected && position < size) {
          const chunk = Buffer.alloc(Math.min(READ_CHUNK, size - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          connected = await writeWithBackpressure(res, chunk.subarray(0, bytesRead), policy);
        }
      } finally {
        await handle.close();
      }
    } catch {
      // the next round retries
    }
  }
}
