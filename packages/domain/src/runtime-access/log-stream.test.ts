import { describe, expect, it } from "vitest";
import { lineSplitter, MAX_LINE_CHARS } from "./log-stream.js";

describe("lineSplitter", () => {
  it("yields complete lines only, keeping a partial line for the next chunk", () => {
    const split = lineSplitter();
    expect(split.push("one\ntw")).toEqual(["one"]);
    expect(split.push("o\r\nthree\n")).toEqual(["two", "three"]);
    expect(split.push("tail")).toEqual([]);
    expect(split.flush()).toEqual(["tail"]);
    expect(split.flush()).toEqual([]);
  });

  it("cuts a runaway line instead of holding it without bound", () => {
    const split = lineSplitter();
    const out = split.push("x".repeat(MAX_LINE_CHARS + 10));
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(MAX_LINE_CHARS + 1);
    expect(out[0]?.endsWith("…")).toBe(true);
    expect(split.push("\nnext\n")).toEqual(["", "next"]);
  });
});
