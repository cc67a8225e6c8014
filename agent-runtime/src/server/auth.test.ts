import { describe, expect, it } from "vitest";
import { bearerToken, tokensEqual } from "./auth.js";

describe("tokensEqual", () => {
  it("compares equal and unequal tokens of any length", () => {
    expect(tokensEqual("abc", "abc")).toBe(true);
    expect(tokensEqual("abd", "abc")).toBe(false);
    expect(tokensEqual("", "abc")).toBe(false);
    expect(tokensEqual("abcd", "abc")).toBe(false);
    expect(tokensEqual("x".repeat(10_000), "abc")).toBe(false);
  });

  it("takes about as long for a near miss as for a total miss", () => {
    const expected = "t".repeat(64);
    const time = (presented: string) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 10_000; i++) tokensEqual(presented, expected);
      return Number(process.hrtime.bigint() - started);
    };
    time(expected); // warm up
    let near = Number.POSITIVE_INFINITY;
    let far = Number.POSITIVE_INFINITY;
    // Interleaved, keeping the fastest of each: other load on the machine only ever adds time.
    for (let round = 0; round < 15; round++) {
      near = Math.min(near, time(`${"t".repeat(63)}x`));
      far = Math.min(far, time("x"));
    }
    // Both sides are hashed to 32 bytes first: no early exit on a common prefix or a length mismatch.
    expect(near / far).toBeGreaterThan(0.4);
    expect(near / far).toBeLessThan(2.5);
  });
});

describe("bearerToken", () => {
  it("extracts the token from a Bearer header only", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken("Bearer ")).toBeNull();
    expect(bearerToken("Bearer a b")).toBeNull();
  });
});
