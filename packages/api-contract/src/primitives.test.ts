import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  boundedInt,
  multiLineText,
  opaqueText,
  queryDate,
  queryInt,
  queryInt8Id,
  singleLineText,
} from "./primitives.js";

const LONE_HIGH = "a\uD800b";
const LONE_LOW = "a\uDC00b";

describe("text primitives", () => {
  const line = singleLineText({ max: 10, min: 1, trim: true });
  const lines = multiLineText({ max: 20 });
  const opaque = opaqueText({ max: 10, min: 1 });

  it.each([
    ["NUL", "a\u0000b"],
    ["a C0 control", "a\u0007b"],
    ["ESC", "a\u001bb"],
    ["DEL", "a\u007fb"],
    ["a C1 control", "a\u0085b"],
    ["a line feed", "a\nb"],
    ["a line separator", "a\u2028b"],
    ["a lone high surrogate", LONE_HIGH],
    ["a lone low surrogate", LONE_LOW],
    ["an over-long value", "x".repeat(11)],
    ["an empty value after trimming", "   "],
  ])("single-line text refuses %s", (_name, value) => {
    expect(line.safeParse(value).success).toBe(false);
  });

  it("single-line text trims, NFC-normalises and keeps astral characters", () => {
    expect(line.parse("  Cafe\u0301 ")).toBe("Caf\u00e9");
    expect(line.parse("🚀 go")).toBe("🚀 go");
  });

  it("multi-line text allows tab and line breaks, nothing else", () => {
    expect(lines.parse("a\tb\r\nc")).toBe("a\tb\r\nc");
    for (const bad of ["a\u0000", "a\u000b", "a\u001b", LONE_HIGH, "x".repeat(21)]) {
      expect(lines.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("opaque text keeps the value exactly, refusing NUL, lone surrogates and length", () => {
    expect(opaque.parse(" e\u0301 ")).toBe(" e\u0301 ");
    for (const bad of ["a\u0000", LONE_LOW, "x".repeat(11), ""]) {
      expect(opaque.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("number and date primitives", () => {
  it("bounds integers to their range and to int4", () => {
    const n = boundedInt({ min: 1, max: Number.MAX_SAFE_INTEGER });
    expect(n.parse(2_147_483_647)).toBe(2_147_483_647);
    for (const bad of [0, 2_147_483_648, 1.5, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(n.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it("reads query integers from decimal digits only", () => {
    const q = queryInt({ min: 0, max: 500 });
    expect(q.parse("42")).toBe(42);
    for (const bad of ["", "1e3", "0x10", " 1", "501", "-1", "99999999999999999999", "NaN", "1.5"]) {
      expect(q.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("keeps int8 ids within int8", () => {
    const id = queryInt8Id();
    expect(id.parse("9223372036854775807")).toBe("9223372036854775807");
    for (const bad of ["9223372036854775808", "99999999999999999999", "-1", "1.0", ""]) {
      expect(id.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("keeps dates within timestamptz's range", () => {
    const d = queryDate();
    expect(d.parse("2024-05-01T10:00:00Z").toISOString()).toBe("2024-05-01T10:00:00.000Z");
    expect(d.parse("-004713-11-24T00:00:00Z").getTime()).toBeLessThan(0);
    for (const bad of [
      "-004713-11-23T23:59:59Z",
      "-271821-04-20T00:00:00Z",
      "+275760-09-14T00:00:00Z",
      "x",
    ]) {
      expect(d.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe("primitives.ts", () => {
  it("imports nothing but zod (it must stay browser-safe)", () => {
    const source = readFileSync(new URL("./primitives.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports).toEqual(["zod"]);
  });
});
