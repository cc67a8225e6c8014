import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../testing/test-config.js";
import { closeRedis, createRedis, type Redis, waitForRedis } from "./connection.js";
import { countLeases, releaseLease, renewLease, takeLease } from "./leases.js";

describe("Redis leases (real Redis)", () => {
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    const config = testConfig();
    // Two connections stand for two API replicas sharing one count.
    a = createRedis(config.redis, "test-a", "command");
    b = createRedis(config.redis, "test-b", "command");
    await Promise.all([waitForRedis(a), waitForRedis(b)]);
  });
  afterAll(async () => {
    await Promise.all([closeRedis(a), closeRedis(b)]);
  });

  it("holds at most max live leases per key, across connections, and frees them on release", async () => {
    const key = `leases:${Math.random()}`;
    const lease = (member: string) => ({ member, max: 2, ttlMs: 10_000 });
    expect(await takeLease(a, key, lease("one"))).toBe(true);
    expect(await takeLease(b, key, lease("two"))).toBe(true);
    expect(await takeLease(a, key, lease("three"))).toBe(false);
    expect(await countLeases(b, key)).toBe(2);
    await releaseLease(b, key, "one");
    expect(await takeLease(a, key, lease("three"))).toBe(true);
    expect(await countLeases(a, key)).toBe(2);
  });

  it("lets an unrenewed lease lapse, and a renewed one last", async () => {
    const key = `leases:${Math.random()}`;
    expect(await takeLease(a, key, { member: "kept", max: 2, ttlMs: 300 })).toBe(true);
    expect(await takeLease(a, key, { member: "dropped", max: 2, ttlMs: 300 })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await renewLease(a, key, "kept", 300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await countLeases(a, key)).toBe(1);
    // An expired lease is not revived by a late renewal: its slot may already be someone else's.
    expect(await renewLease(a, key, "dropped", 300)).toBe(false);
    expect(await takeLease(b, key, { member: "new", max: 2, ttlMs: 300 })).toBe(true);
  });
});
