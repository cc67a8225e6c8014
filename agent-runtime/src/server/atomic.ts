import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";

/** A temp name beside the target, so the final rename stays on one filesystem. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.nora-tmp-${randomBytes(6).toString("hex")}`);
}

/** Thrown by writeAtomicStream when the source exceeds its cap. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`exceeds ${limit} bytes`);
    this.name = "TooLargeError";
  }
}

/**
 * Writes `source` to a temp file, fsyncs it and renames it over `target`: readers see the old
 * file or the new one, never a partial one. The temp file is removed on any failure.
 */
export async function writeAtomicStream(
  target: string,
  source: AsyncIterable<Buffer | string> | Iterable<Buffer> | Readable,
  options: { mode?: number; maxBytes?: number } = {},
): Promise<number> {
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", options.mode ?? 0o644);
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (options.maxBytes !== undefined && size > options.maxBytes)
        throw new TooLargeError(options.maxBytes);
      await handle.write(buffer);
    }
    await handle.sync();
    await handle.close();
    await rename(temp, target);
    return size;
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

export function writeAtomic(target: string, content: Buffer | string, mode?: number): Promise<number> {
  return writeAtomicStream(target, [typeof content === "string" ? Buffer.from(content) : content], {
    ...(mode === undefined ? {} : { mode }),
  });
}
