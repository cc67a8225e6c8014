import { type Queryable, withTransaction } from "@nora/core";
import { createTestDatabase, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertUserClaimingIfFirst } from "../src/auth/repo.js";
import { admitSignup } from "../src/auth/signup-policy.js";

const CLAIM_LOCK = /pg_advisory_xact_lock\(hashtext\('nora:claim'\)\)/;

/** The transaction, recording the text of every statement sent through it. */
function recording(tx: Queryable, texts: string[]): Queryable {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop !== "query") return Reflect.get(target, prop, receiver);
      return (...args: unknown[]) => {
        const first = args[0];
        texts.push(typeof first === "string" ? first : String((first as { text?: string }).text));
        return (target.query as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("the claim lock", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("is taken once per account creation: by the signup decision, not again by the insert", async () => {
    const config = testConfig({ DATABASE_URL: db.url });
    const texts: string[] = [];
    const user = await withTransaction(db.pool, async (raw) => {
      const tx = recording(raw, texts);
      const decision = await admitSignup(tx, config, { path: "password", email: "first@example.org" });
      expect(decision).toMatchObject({ allowed: true, claim: true });
      return insertUserClaimingIfFirst(tx, {
        email: "first@example.org",
        passwordHash: null,
        emailVerified: false,
      });
    });
    expect(user?.role).toBe("admin");
    expect(texts.filter((t) => CLAIM_LOCK.test(t))).toHaveLength(1);
  });
});
