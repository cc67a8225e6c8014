import type { createApiKeyBody } from "@nora/api-contract";
import { AppError, type Config, notFound, type Pool, type Queryable, unauthorized } from "@nora/core";
import type { z } from "zod";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { inMembershipTransaction, lockMembershipOf } from "../workspaces/membership.js";
import { displayPrefix, generateApiKey, hashApiKey } from "./key-format.js";
import {
  type ApiKeyRow,
  findKey,
  findKeyByHash,
  insertKey,
  listKeys,
  lockEnabledCreator,
  revokeKey,
  touchKeyUse,
} from "./repo.js";

/** What a key looks like to callers: never the key, never its hash. */
export function publicKey(row: ApiKeyRow) {
  return {
    id: row.id,
    description: row.description,
    prefix: row.prefix,
    scopes: row.scopes,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    rotatedFrom: row.rotatedFrom,
  };
}

export function createApiKeyService(deps: { config: Config; pool: Pool }) {
  const { config, pool } = deps;

  /**
   * Managing keys needs admin, read under the member locks in the changing transaction; minting also holds
   * the creator's account row, so a concurrent removal or disable waits and then revokes the new key.
   */
  async function lockManager(tx: Queryable, workspaceId: string, userId: string) {
    if (!(await lockEnabledCreator(tx, userId))) throw unauthorized();
    await lockMembershipOf(tx, workspaceId, userId, "admin");
  }

  function mint() {
    const key = generateApiKey();
    return { key, prefix: displayPrefix(key), keyHash: hashApiKey(key, config.identity.apiKeyHashKey) };
  }

  return {
    list: async (workspaceId: string) => (await listKeys(pool, workspaceId)).map(publicKey),

    /** Creates a key and returns it in full this once; only its HMAC is stored. */
    async create(
      workspaceId: string,
      userId: string,
      input: z.infer<typeof createApiKeyBody>,
      ctx: ActionContext,
    ) {
      const minted = mint();
      const expiresAt = input.ttl_days ? new Date(Date.now() + input.ttl_days * 86_400_000) : null;
      const row = await inMembershipTransaction(pool, async (tx) => {
        await lockManager(tx, workspaceId, userId);
        const created = await insertKey(tx, {
          workspaceId,
          createdBy: userId,
          description: input.description,
          prefix: minted.prefix,
          keyHash: minted.keyHash,
          scopes: input.scopes,
          expiresAt,
        });
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "api_key.created",
          workspaceId,
          target: { type: "api_key", id: created.id },
          metadata: {
            scopes: input.scopes,
            expiresAt: expiresAt?.toISOString() ?? null,
            prefix: minted.prefix,
          },
        });
        return created;
      });
      return { apiKey: publicKey(row), key: minted.key };
    },

    async revoke(workspaceId: string, keyId: string, userId: string, ctx: ActionContext) {
      await inMembershipTransaction(pool, async (tx) => {
        await lockManager(tx, workspaceId, userId);
        const revoked = await revokeKey(tx, workspaceId, keyId);
        if (!revoked) {
          if (await findKey(tx, workspaceId, keyId))
            throw new AppError(409, "already_revoked", "The key is already revoked");
          throw notFound("API key not found");
        }
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "api_key.revoked",
          workspaceId,
          target: { type: "api_key", id: keyId },
        });
      });
    },

    /** Replaces a key: the new one keeps description, scopes and remaining lifetime; the old one stops at once. */
    async rotate(workspaceId: string, keyId: string, userId: string, ctx: ActionContext) {
      const minted = mint();
      const row = await inMembershipTransaction(pool, async (tx) => {
        await lockManager(tx, workspaceId, userId);
        const old = await revokeKey(tx, workspaceId, keyId);
        if (!old) throw notFound("API key not found or already revoked");
        const created = await insertKey(tx, {
          workspaceId,
          createdBy: userId,
          description: old.description,
          prefix: minted.prefix,
          keyHash: minted.keyHash,
          scopes: old.scopes,
          expiresAt: old.expiresAt,
          rotatedFrom: old.id,
        });
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "api_key.rotated",
          workspaceId,
          target: { type: "api_key", id: created.id },
          metadata: { rotatedFrom: old.id, prefix: minted.prefix },
        });
        return created;
      });
      return { apiKey: publicKey(row), key: minted.key };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/** Authentication's lookup (auth/authentication.ts): a key by its hash, with its creator's standing. */
export const keyForAuthByHash = (db: Queryable, keyHash: Buffer) => findKeyByHash(db, keyHash);
export const recordKeyUse = (db: Queryable, keyId: string) => touchKeyUse(db, keyId);
export type { KeyForAuth } from "./repo.js";
