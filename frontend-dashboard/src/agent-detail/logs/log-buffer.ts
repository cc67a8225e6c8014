/**
 * The log lines a tab holds, capped: a busy agent cannot grow the page's memory without bound. Past
 * the cap the oldest lines go and `dropped` counts them; while paused, new lines wait in `pending`
 * (capped the same way) so the visible lines stand still.
 */
export interface LogLine {
  id: number;
  text: string;
}

export interface LogBuffer {
  cap: number;
  lines: LogLine[];
  pending: LogLine[];
  paused: boolean;
  /** Lines let go because the buffer was full (counted, never silently). */
  dropped: number;
  nextId: number;
}

export const DEFAULT_LOG_CAP = 5000;

export function emptyLogBuffer(cap = DEFAULT_LOG_CAP): LogBuffer {
  return { cap, lines: [], pending: [], paused: false, dropped: 0, nextId: 0 };
}

function capped(lines: LogLine[], cap: number): { kept: LogLine[]; cut: number } {
  const cut = Math.max(0, lines.length - cap);
  return { kept: cut > 0 ? lines.slice(cut) : lines, cut };
}

export function appendLines(buffer: LogBuffer, texts: readonly string[]): LogBuffer {
  if (texts.length === 0) return buffer;
  const incoming = texts.map((text, i) => ({ id: buffer.nextId + i, text }));
  const nextId = buffer.nextId + texts.length;
  if (buffer.paused) {
    const { kept, cut } = capped([...buffer.pending, ...incoming], buffer.cap);
    return { ...buffer, pending: kept, dropped: buffer.dropped + cut, nextId };
  }
  const { kept, cut } = capped([...buffer.lines, ...incoming], buffer.cap);
  return { ...buffer, lines: kept, dropped: buffer.dropped + cut, nextId };
}

export function setPaused(buffer: LogBuffer, paused: boolean): LogBuffer {
  if (paused === buffer.paused) return buffer;
  if (paused) return { ...buffer, paused: true };
  const { kept, cut } = capped([...buffer.lines, ...buffer.pending], buffer.cap);
  return { ...buffer, paused: false, lines: kept, pending: [], dropped: buffer.dropped + cut };
}

export function clearLines(buffer: LogBuffer): LogBuffer {
  return { ...emptyLogBuffer(buffer.cap), paused: buffer.paused, nextId: buffer.nextId };
}

/** The visible lines that contain `query` (case-insensitive); all of them for an empty query. */
export function filterLines(lines: readonly LogLine[], query: string): LogLine[] {
  const needle = query.trim().toLowerCase();
  if (needle === "") return [...lines];
  return lines.filter((line) => line.text.toLowerCase().includes(needle));
}

/** `text` cut around each case-insensitive match of `query`: odd indexes are the matches. */
export function splitMatches(text: string, query: string): string[] {
  const needle = query.trim().toLowerCase();
  if (needle === "") return [text];
  const parts: string[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), text.slice(at, at + needle.length));
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** A frame of the logs stream: `{type:"lines",lines}` or `{type:"error",error}`; anything else is ignored. */
export function parseLogFrame(
  data: string,
): { type: "lines"; lines: string[] } | { type: "error"; error: string } | null {
  try {
    const frame = JSON.parse(data) as { type?: unknown; lines?: unknown; error?: unknown };
    if (frame.type === "lines" && Array.isArray(frame.lines)) {
      return { type: "lines", lines: frame.lines.filter((l): l is string => typeof l === "string") };
    }
    if (frame.type === "error" && typeof frame.error === "string")
      return { type: "error", error: frame.error };
  } catch {
    // not JSON: ignored
  }
  return null;
}
