import { fileURLToPath } from "node:url";
import {
  createTestDatabase,
  spawnService,
  type TestDatabase,
  testServiceUrls,
  uniqueKeyPrefix,
} from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const API = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const PROVISIONER = fileURLToPath(new URL("../../workers/provisioner/dist/main.js", import.meta.url));
const BACKUP = fileURLToPath(new URL("../../workers/backup/dist/main.js", import.meta.url));

const GOOD_JWT = "Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2";
const GOOD_KEY = "8e1f4b7a2c5d9e3f6a0b4c8d2e6f1a5b9c3d7e0f4a8b2c6d1e5f9a3b7c0d4e8f";

describe("production boot refuses weak secrets (real processes)", () => {
  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ["no JWT_SECRET", { ENCRYPTION_KEY: GOOD_KEY }, /JWT_SECRET is missing/],
    ["short JWT_SECRET", { JWT_SECRET: "tooshort", ENCRYPTION_KEY: GOOD_KEY }, /JWT_SECRET is too short/],
    ["placeholder JWT_SECRET", { JWT_SECRET: "changeme".repeat(5), ENCRYPTION_KEY: GOOD_KEY }, /placeholder/],
    ["no ENCRYPTION_KEY", { JWT_SECRET: GOOD_JWT }, /ENCRYPTION_KEY is missing/],
    ["malformed ENCRYPTION_KEY", { JWT_SECRET: GOOD_JWT, ENCRYPTION_KEY: "abc123" }, /must be 32 bytes/],
  ];

  for (const [service, entry] of [
    ["api", API],
    ["worker-provisioner", PROVISIONER],
    ["worker-backup", BACKUP],
  ] as const) {
    it.each(bad)(`${service} exits 1 with one line when %s`, async (_name, env, reason) => {
      const proc = spawnService(entry, { NODE_ENV: "production", ...env });
      expect(await proc.exited).toBe(1);
      const lines = proc.stderr().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^nora ${service}: refusing to start: `));
      expect(lines[0]).toMatch(reason);
    });
  }
});

describe("production boot with good secrets", () => {
  let db: TestDatabase;
  const base = () => ({
    NODE_ENV: "production",
    DATABASE_URL: db.url,
    REDIS_URL: testServiceUrls().redisUrl,
    REDIS_KEY_PREFIX: uniqueKeyPrefix("boot"),
    JWT_SECRET: GOOD_JWT,
    API_PORT: "0",
    PROVISIONER_HEALTH_PORT: "0",
    BACKUP_HEALTH_PORT: "0",
  });
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db.drop());

  it("migrates, serves, and stops cleanly on SIGTERM", async () => {
    const api = spawnService(API, { ...base(), ENCRYPTION_KEY: GOOD_KEY });
    try {
      const listening = await api.waitForLog((l) => l.msg === "api listening");
      const url = `http://127.0.0.1:${listening.port as number}`;
      const res = await fetch(`${url}/api/ready`);
      expect(res.status).toBe(200);
      expect(api.stdout()).toContain('"migration":"0001_foundation"');
    } finally {
      expect(await api.stop()).toBe(0);
    }
    expect(api.stdout()).toContain('"msg":"api stopped"');
  });

  it("finishes a request in flight when SIGTERM arrives, then exits 0", async () => {
    const api = spawnService(API, { ...base(), ENCRYPTION_KEY: GOOD_KEY, RATE_LIMIT_ENABLED: "false" });
    const listening = await api.waitForLog((l) => l.msg === "api listening");
    const { request } = await import("node:http");
    const body = JSON.stringify({ email: "drain@example.org", password: "not the password" });
    // A request whose body is still arriving when the signal comes: the server must wait for it.
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: listening.port as number,
          method: "POST",
          path: "/api/auth/login",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        api.child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 200);
    });
    expect(await answered).toBe(401);
    const answeredAt = Date.now();
    expect(await api.exited).toBe(0);
    // The client's keep-alive socket does not hold the shutdown once its request is answered.
    expect(Date.now() - answeredAt).toBeLessThan(2_000);
    expect(api.stdout()).toContain('"msg":"api stopped"');
  });

  it("boots with NORA_ALLOW_PLAINTEXT_SECRETS and a loud warning", async () => {
    const api = spawnService(API, { ...base(), NORA_ALLOW_PLAINTEXT_SECRETS: "true" });
    try {
      const warning = await api.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("INSECURE"));
      expect(warning.level).toBe("warn");
      await api.waitForLog((l) => l.msg === "api listening");
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it("refuses an unknown runtime family, backend or profile in ENABLED_*", async () => {
    for (const [name, value] of [
      ["ENABLED_BACKENDS", "docker,kubernetes"],
      ["ENABLED_RUNTIME_FAMILIES", "openclaw,clawd"],
      ["ENABLED_SANDBOX_PROFILES", "standard,paranoid"],
    ] as const) {
      const api = spawnService(API, { ...base(), ENCRYPTION_KEY: GOOD_KEY, [name]: value });
      expect(await api.exited).toBe(1);
      expect(api.stderr().trim()).toMatch(new RegExp(`^nora api: refusing to start: ${name}: unknown`));
    }
  });

  it("exits with a clear message when PostgreSQL is unreachable", async () => {
    const api = spawnService(API, {
      ...base(),
      ENCRYPTION_KEY: GOOD_KEY,
      DATABASE_URL: "postgres://nora:nora@127.0.0.1:1/nora",
    });
    expect(await api.exited).toBe(1);
    expect(api.stdout()).toContain("is PostgreSQL reachable at DATABASE_URL?");
  });

  it.each([
    ["provisioner", PROVISIONER],
    ["backup", BACKUP],
  ])("the %s worker serves /health and stops cleanly on SIGTERM", async (_name, entry) => {
    const worker = spawnService(entry, { ...base(), ENCRYPTION_KEY: GOOD_KEY });
    try {
      const started = await worker.waitForLog((l) => l.msg === "worker started");
      const res = await fetch(`http://127.0.0.1:${started.healthPort as number}/health`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { checks: unknown }).checks).toEqual({ redis: "ok", postgres: "ok" });
    } finally {
      expect(await worker.stop()).toBe(0);
    }
    expect(worker.stdout()).toContain('"msg":"worker stopped"');
  });
});
