import { describe, expect, it } from "vitest";
import {
  appendLines,
  emptyLogBuffer,
  filterLines,
  parseLogFrame,
  setPaused,
  splitMatches,
} from "./log-buffer";

describe("log buffer", () => {
  it("keeps at most cap lines and counts the ones it let go", () => {
    let buffer = emptyLogBuffer(3);
    buffer = appendLines(buffer, ["a", "b"]);
    buffer = appendLines(buffer, ["c", "d", "e"]);
    expect(buffer.lines.map((l) => l.text)).toEqual(["c", "d", "e"]);
    expect(buffer.dropped).toBe(2);
    expect(new Set(buffer.lines.map((l) => l.id)).size).toBe(3);
  });

  it("holds new lines aside while paused, capped, and shows them on resume", () => {
    let buffer = appendLines(emptyLogBuffer(3), ["a"]);
    buffer = setPaused(buffer, true);
    buffer = appendLines(buffer, ["1", "2", "3", "4", "5"]);
    expect(buffer.lines.map((l) => l.text)).toEqual(["a"]);
    expect(buffer.pending).toHaveLength(3);
    expect(buffer.dropped).toBe(2);
    buffer = setPaused(buffer, false);
    expect(buffer.lines.map((l) => l.text)).toEqual(["3", "4", "5"]);
    expect(buffer.pending).toEqual([]);
    expect(buffer.dropped).toBe(3);
  });

  it("filters case-insensitively and splits matches for highlighting", () => {
    const buffer = appendLines(emptyLogBuffer(), ["Error: boom", "ok", "another error"]);
    expect(filterLines(buffer.lines, "ERROR").map((l) => l.text)).toEqual(["Error: boom", "another error"]);
    expect(filterLines(buffer.lines, " ")).toHaveLength(3);
    expect(splitMatches("an error and an ERROR", "error")).toEqual(["an ", "error", " and an ", "ERROR", ""]);
    expect(splitMatches("plain", "")).toEqual(["plain"]);
  });

  it("reads the stream's frames and ignores anything else", () => {
    expect(parseLogFrame('{"type":"lines","lines":["x",1]}')).toEqual({ type: "lines", lines: ["x"] });
    expect(parseLogFrame('{"type":"error","error":"runtime_unreachable"}')).toEqual({
      type: "error",
      error: "runtime_unreachable",
    });
    expect(parseLogFrame("not json")).toBeNull();
    expect(parseLogFrame('{"type":"other"}')).toBeNull();
  });
});
