/**
 * An incremental server-sent-events parser (the WHATWG format): chunks in, complete events out.
 * Comments (`: heartbeat`) are skipped; `data:` lines of one event are joined with newlines. A chat
 * turn is a POST, so EventSource cannot read it: the tab reads the fetch body through this.
 */
export interface SseEvent {
  event: string;
  data: string;
}

export interface SseParser {
  /** Feeds decoded text; returns the events it completed. */
  push(chunk: string): SseEvent[];
  /** The end of the stream: an event without its blank line is not dispatched (as the spec says). */
  end(): SseEvent[];
}

export function createSseParser(maxBufferChars = 1 << 20): SseParser {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const take = (line: string, out: SseEvent[]) => {
    if (line === "") {
      if (data.length > 0) out.push({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  return {
    push(chunk) {
      buffer += chunk;
      const out: SseEvent[] = [];
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (!match || (match[0] === "\r" && match.index === buffer.length - 1)) break;
        take(buffer.slice(0, match.index), out);
        buffer = buffer.slice(match.index + match[0].length);
      }
      if (buffer.length > maxBufferChars) throw new Error("An event line is longer than the parser allows");
      return out;
    },
    end() {
      buffer = "";
      event = "";
      data = [];
      return [];
    },
  };
}
