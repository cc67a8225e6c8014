import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.js";
import { testConfig } from "../testing/test-config.js";
import { CryptoError, ENVELOPE_PREFIX, keyIdOf, type SealContext } from "./envelope.js";
import { Keyring } from "./keyring.js";
import { rotateSealedValues, sealedKeyUsage } from "./rotation.js";

const hexKey = () => randomBytes(32).toString("hex");
const ring = (current: string | undefined, previous: string[] = [], allowPlaintext = false) =>
  Keyring.fromConfig(
    testConfig({
      ...(current ? { ENCRYPTION_KEY: current } : {}),
      ENCRYPTION_KEYS_PREVIOUS: previous.join(","),
      NORA_ALLOW_PLAINTEXT_SECRETS: String(allowPlaintext),
    }),
  );
const ctx: SealContext = {
  table: "llm_providers",
  column: "api_key",
  rowId: "7f1c2d3e-0000-4000-8000-000000000001",
};

function expectCryptoError(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe(code);
    return;
  }
  throw new Error("expected a CryptoError");
}

describe("sealing", () => {
  const key = hexKey();
  const keyring = ring(key);

  it("round-trips, with a fresh nonce every time and the key id in the envelope", () => {
    const a = keyring.seal("sk-live-secret", ctx);
    const b = keyring.seal("sk-live-secret", ctx);
    expect(a).not.toBe(b);
    expect(a.startsWith(`${ENVELOPE_PREFIX}${keyIdOf(Buffer.from(key, "hex"))}:`)).toBe(true);
    expect(a).not.toContain("sk-live-secret");
    expect(keyring.open(a, ctx)).toEqual({
      value: "sk-live-secret",
      legacyPlaintext: false,
      staleKey: false,
    });
    expect(keyring.open(keyring.seal("", ctx), ctx).value).toBe("");
    const unicode = "клю́ч 🔑 ".repeat(100);
    expect(keyring.open(keyring.seal(unicode, ctx), ctx).value).toBe(unicode);
  });

  it("refuses any tampered byte of nonce, ciphertext or tag", () => {
    const sealed = keyring.seal("tamper me please", ctx);
    const [p1, p2, kid, nonce, body] = sealed.split(":") as [string, string, string, string, string];
    for (const [part, which] of [
      [nonce, "nonce"],
      [body, "body"],
    ] as const) {
      const bytes = Buffer.from(part, "base64url");
      for (let i = 0; i < bytes.length; i++) {
        const flipped = Buffer.from(bytes);
        flipped[i] = (flipped[i] as number) ^ 0x01;
        const text = flipped.toString("base64url");
        const forged = which === "nonce" ? [p1, p2, kid, text, body] : [p1, p2, kid, nonce, text];
        expect(() => keyring.open(forged.join(":"), ctx)).toThrow(CryptoError);
      }
    }
  });

  it("refuses a value moved to another row, column or table (associated data)", () => {
    const sealed = keyring.seal("bound", ctx);
    for (const other of [
      { ...ctx, rowId: "7f1c2d3e-0000-4000-8000-000000000002" },
      { ...ctx, column: "other" },
      { ...ctx, table: "integrations" },
    ]) {
      expectCryptoError(() => keyring.open(sealed, other), "decryption_failed");
    }
  });

  it("refuses an unknown key id, a wrong key, and malformed envelopes", () => {
    const sealed = keyring.seal("x", ctx);
    expectCryptoError(() => ring(hexKey()).open(sealed, ctx), "unknown_key");
    const [p1, p2, , nonce, body] = sealed.split(":");
    const otherKey = hexKey();
    const impostor = [p1, p2, keyIdOf(Buffer.from(otherKey, "hex")), nonce, body].join(":");
    expectCryptoError(() => ring(otherKey).open(impostor, ctx), "decryption_failed");
    for (const bad of ["nora:v1:", "nora:v1:abc", "nora:v1:a:b:c:d", `nora:v1:${p2}::`, "nora:v2:x:y:z"]) {
      expect(() => keyring.open(bad, ctx)).toThrow(CryptoError);
    }
  });

  it("never falls back to the stored bytes: plaintext is refused unless the override allows it", () => {
    expectCryptoError(() => keyring.open("sk-plain-legacy", ctx), "malformed_envelope");
    const lenient = ring(key, [], true);
    expect(lenient.open("sk-plain-legacy", ctx)).toEqual({
      value: "sk-plain-legacy",
      legacyPlaintext: true,
      staleKey: false,
    });
    // The override accepts unsealed legacy values, never a sealed value that fails to open.
    const sealed = keyring.seal("x", ctx);
    expect(() => lenient.open(sealed, { ...ctx, rowId: "other" })).toThrow(CryptoError);
  });

  it("opens values sealed by a previous key and reports them as stale", () => {
    const old = hexKey();
    const sealedByOld = ring(old).seal("old secret", ctx);
    const rotated = ring(hexKey(), [old]);
    expect(rotated.open(sealedByOld, ctx)).toEqual({
      value: "old secret",
      legacyPlaintext: false,
      staleKey: true,
    });
    const resealed = rotated.reseal(sealedByOld, ctx);
    expect(rotated.open(resealed, ctx).staleKey).toBe(false);
  });

  it("refuses to seal without a key", () => {
    expectCryptoError(() => ring(undefined, [], true).seal("x", ctx), "no_encryption_key");
  });
});

describe("rotation (real PostgreSQL)", () => {
  let db: TestDatabase;
  const column = { table: "rotation_fixture", column: "secret", idColumn: "id" };
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(
      "CREATE TABLE rotation_fixture (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), secret text)",
    );
  });
  afterAll(() => db.drop());

  async function fill(keyring: Keyring, count: number, plaintextCount = 0) {
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO rotation_fixture (secret) SELECT NULL FROM generate_series(1, $1) RETURNING id",
      [count + plaintextCount],
    );
    for (const [i, row] of rows.entries()) {
      const value =
        i < count ? keyring.seal(`secret-${row.id}`, { ...column, rowId: row.id }) : `plain-${row.id}`;
      await db.pool.query("UPDATE rotation_fixture SET secret = $2 WHERE id = $1", [row.id, value]);
    }
    await db.pool.query("INSERT INTO rotation_fixture (secret) VALUES (NULL)");
    return rows.map((r) => r.id);
  }

  it("re-seals everything under the new key, survives an interruption, and reports key usage", async () => {
    await db.pool.query("TRUNCATE rotation_fixture");
    const oldKey = hexKey();
    const newKey = hexKey();
    const ids = await fill(ring(oldKey), 230, 5);
    const keyring = ring(newKey, [oldKey], true);
    const oldId = keyIdOf(Buffer.from(oldKey, "hex"));
    const newId = keyIdOf(Buffer.from(newKey, "hex"));

    expect(await sealedKeyUsage(db.pool, [column])).toEqual([
      { table: column.table, column: column.column, byKeyId: { [oldId]: 230, plaintext: 5 } },
    ]);

    // Interrupted after two batches...
    const progress: number[] = [];
    const partial = await rotateSealedValues(db.pool, keyring, {
      columns: [column],
      batchSize: 50,
      maxBatches: 2,
      onProgress: (p) => progress.push(p.remaining),
    });
    expect(partial[0]).toMatchObject({ resealed: 100, remaining: 135 });
    expect(progress).toEqual([185, 135]);
    progress.length = 0;

    // ...and resumed: only the rest is touched.
    const finished = await rotateSealedValues(db.pool, keyring, { columns: [column], batchSize: 50 });
    expect(finished[0]).toMatchObject({ resealed: 135, remaining: 0 });
    expect(await sealedKeyUsage(db.pool, [column])).toEqual([
      { table: column.table, column: column.column, byKeyId: { [newId]: 235 } },
    ]);

    // A second run is a no-op, and the old key can now be dropped.
    expect((await rotateSealedValues(db.pool, keyring, { columns: [column] }))[0]).toMatchObject({
      resealed: 0,
    });
    const newOnly = ring(newKey);
    for (const id of ids) {
      const { rows } = await db.pool.query<{ secret: string }>(
        "SELECT secret FROM rotation_fixture WHERE id = $1",
        [id],
      );
      const value = newOnly.open(rows[0]?.secret as string, { ...column, rowId: id }).value;
      expect(value === `secret-${id}` || value === `plain-${id}`).toBe(true);
    }
  });

  it("lets two rotations run at once without double work or conflicts", async () => {
    await db.pool.query("TRUNCATE rotation_fixture");
    const oldKey = hexKey();
    const newKey = hexKey();
    await fill(ring(oldKey), 300);
    const keyring = ring(newKey, [oldKey]);
    const [a, b] = await Promise.all([
      rotateSealedValues(db.pool, keyring, { columns: [column], batchSize: 25 }),
      rotateSealedValues(db.pool, keyring, { columns: [column], batchSize: 25 }),
    ]);
    expect((a[0]?.resealed ?? 0) + (b[0]?.resealed ?? 0)).toBe(300);
    const usage = await sealedKeyUsage(db.pool, [column]);
    expect(usage[0]?.byKeyId).toEqual({ [keyIdOf(Buffer.from(newKey, "hex"))]: 300 });
  });
});
