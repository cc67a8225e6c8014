import { closeRedis, createLogger, createRedis, type Redis, waitForRedis } from "@nora/core";
import { testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStreamSlots, type StreamSlots } from "./stream-slots.js";

describe("stream slots (real Redis)", () => {
  let redis: Redis;
  let replicaA: StreamSlots;
  let replicaB: StreamSlots;
  const logger = createLogger({ service: "test", level: "silent" });

  beforeAll(async () => {
    const config = testConfig({ STREAMS_PER_USER_MAX: "2", TERMINALS_PER_USER_MAX: "1" });
    redis = createRedis(config.redis, "test");
    await waitForRedis(redis);
    // Two replicas, one Redis: the cap is the user's, wherever the streams are served.
    replicaA = createStreamSlots({ config, redis, logger });
    replicaB = createStreamSlots({ config, redis, logger });
  });
  afterAll(async () => {
    await closeRedis(redis);
  });

  it("caps a user's streams across replicas, counts terminals apart, and frees on release", async () => {
    const user = crypto.randomUUID();
    const one = await replicaA.acquire(user, "stream");
    await replicaB.acquire(user, "stream");
    await expect(replicaB.acquire(user, "stream")).rejects.toMatchObject({
      status: 429,
      code: "too_many_streams",
    });
    const terminal = await replicaA.acquire(user, "terminal");
    await expect(replicaB.acquire(user, "terminal")).rejects.toMatchObject({
      status: 429,
      code: "too_many_terminals",
    });
    // Another user is not affected.
    await replicaA.acquire(crypto.randomUUID(), "stream");
    one.release();
    one.release(); // twice is once
    await new Promise((resolve) => setTimeout(resolve, 50));
    await replicaB.acquire(user, "stream");
    await expect(replicaA.acquire(user, "stream")).rejects.toMatchObject({ status: 429 });
    terminal.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await replicaB.acquire(user, "terminal");
  });

  it("refuses every terminal when TERMINALS_PER_USER_MAX is 0", async () => {
    const config = testConfig({ TERMINALS_PER_USER_MAX: "0" });
    const slots = createStreamSlots({ config, redis, logger });
    await expect(slots.acquire(crypto.randomUUID(), "terminal")).rejects.toMatchObject({ status: 429 });
  });

  it("counts on this replica alone when Redis does not answer", async () => {
    const config = testConfig({ STREAMS_PER_USER_MAX: "1" });
    const dead = createRedis({ ...config.redis, url: "redis://127.0.0.1:1" }, "dead");
    const slots = createStreamSlots({ config, redis: dead, logger });
    const user = crypto.randomUUID();
    const slot = await slots.acquire(user, "stream");
    await expect(slots.acquire(user, "stream")).rejects.toMatchObject({
      status: 429,
      code: "too_many_streams",
    });
    slot.release();
    (await slots.acquire(user, "stream")).release();
    await closeRedis(dead);
  });
});
