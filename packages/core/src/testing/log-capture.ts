import { Writable } from "node:stream";
import type { DestinationStream } from "pino";

/** A pino destination that keeps every line in memory, for assertions on log output. */
export class LogCapture extends Writable implements DestinationStream {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    callback();
  }

  get text(): string {
    return this.lines.join("\n");
  }

  entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
