import { describe, expect, it } from "vitest";
import { backoffDelay, describeClose } from "./close-codes";

describe("stream close codes", () => {
  it("retries what may pass and stops on what will not", () => {
    for (const code of [1001, 1011, 1013, 4408]) expect(describeClose(code, "", true).retry).toBe(true);
    for (const code of [1000, 1008, 4401, 4403, 4409])
      expect(describeClose(code, "", true).retry).toBe(false);
    expect(describeClose(4401, "", true).message).toMatch(/sign in/);
    expect(describeClose(1011, "runtime_stream_ended", true).message).toMatch(/ended/);
  });

  it("explains a refused upgrade (1006 before open) and a lost connection apart", () => {
    expect(describeClose(1006, "", false)).toMatchObject({
      retry: true,
      message: expect.stringMatching(/could not be opened/),
    });
    expect(describeClose(1006, "", true).message).toMatch(/lost/);
  });

  it("backs off from 1 s doubling to 30 s, jittered within ±20%", () => {
    expect(backoffDelay(0, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, () => 0.5)).toBe(8000);
    expect(backoffDelay(20, () => 0.5)).toBe(30_000);
    expect(backoffDelay(0, () => 0)).toBe(800);
    expect(backoffDelay(0, () => 1)).toBe(1200);
  });
});
