import { randomUUID } from "node:crypto";
import {
  type CreateProviderInput,
  type ProviderKind,
  SELF_HOSTED_PROVIDER_KINDS,
  type UpdateProviderInput,
} from "@nora/api-contract";
import {
  badRequest,
  conflict,
  DEFAULT_OUTBOUND_POLICY,
  isSealed,
  type Keyring,
  notFound,
  type OutboundOptions,
  openSealed,
  type Pool,
  parseOutboundUrl,
  type Queryable,
  sealOrFail,
  withTransaction,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { checkDestinations, destinationChange } from "../integrations/destinations.js";
import {
  auditedLiveTest,
  destinationMoveMetadata,
  rethrowNameTaken,
  secretHint,
} from "../shared/sealed-resource.js";
import { PROVIDER_CATALOG } from "./catalog.js";
import { type ProbeResult, probeProvider } from "./probe.js";
import {
  clearDefault,
  countProviders,
  deleteProvider,
  findProvider,
  insertProvider,
  listProviders,
  lockWorkspaceProviders,
  type ProviderRow,
  promoteOldestToDefault,
  updateProvider,
} from "./repo.js";

const TABLE = "llm_providers";
const sealContext = (rowId: string) => ({ table: TABLE, column: "api_key", rowId });

/** What a provider looks like to callers: never the key, only whether one is set, its hint and when. */
export function publicProvider(row: ProviderRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    baseUrl: row.baseUrl,
    defaultModel: row.defaultModel,
    isDefault: row.isDefault,
    keySet: row.apiKey !== null,
    keyHint: row.keyHint,
    keySetAt: row.keySetAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type PublicProvider = ReturnType<typeof publicProvider>;

export interface ProviderServiceDeps {
  pool: Pool;
  keyring: Keyring;
  /** Outbound policy for the live test (NORA_OUTBOUND_ALLOWED_CIDRS) and, in tests, a resolver. */
  outbound?: OutboundOptions;
  /** Timeout of the live test, 5 s by default. */
  testTimeoutMs?: number;
}

export function createProviderService(deps: ProviderServiceDeps) {
  const { pool, keyring } = deps;
  const outbound = deps.outbound ?? { policy: DEFAULT_OUTBOUND_POLICY };

  /** Syntax and the no-DNS part of the SSRF policy (the same parser and policy as every call). */
  function checkBaseUrl(kind: ProviderKind, baseUrl: string) {
    checkDestinations(PROVIDER_CATALOG[kind].destinations, { baseUrl }, outbound.policy);
    const url = parseOutboundUrl(baseUrl);
    if (url.search || url.hash) throw badRequest("invalid_url", "A base URL has no query or fragment");
  }

  function translate(error: unknown): never {
    return rethrowNameTaken(
      error,
      "llm_providers_workspace_id_name_key",
      "A provider with this name already exists in the workspace",
    );
  }

  return {
    list: async (workspaceId: string) => (await listProviders(pool, workspaceId)).map(publicProvider),

    async create(workspaceId: string, userId: string, input: CreateProviderInput, ctx: ActionContext) {
      if (input.baseUrl) checkBaseUrl(input.kind, input.baseUrl);
      const id = randomUUID();
      const apiKey = input.apiKey ? sealOrFail(keyring, input.apiKey, sealContext(id)) : null;
      try {
        const row = await withTransaction(pool, async (tx) => {
          await lockWorkspaceProviders(tx, workspaceId);
          // The first provider of a workspace is its default; making another one default moves the flag.
          const isDefault = input.isDefault ?? (await countProviders(tx, workspaceId)) === 0;
          if (isDefault) await clearDefault(tx, workspaceId);
          const created = await insertProvider(tx, {
            id,
            workspaceId,
            kind: input.kind,
            name: input.name,
            baseUrl: input.baseUrl ?? null,
            defaultModel: input.defaultModel ?? null,
            apiKey,
            keyHint: input.apiKey ? secretHint(input.apiKey) : null,
            keySetAt: input.apiKey ? new Date() : null,
            isDefault,
            createdBy: userId,
          });
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: "llm_provider.created",
            workspaceId,
            target: { type: "llm_provider", id },
            metadata: {
              kind: input.kind,
              name: input.name,
              fields: Object.keys(input).sort(),
              isDefault,
            },
          });
          return created;
        });
        return publicProvider(row);
      } catch (error) {
        translate(error);
      }
    },

    async update(workspaceId: string, providerId: string, input: UpdateProviderInput, ctx: ActionContext) {
      try {
        const row = await withTransaction(pool, async (tx) => {
          await lockWorkspaceProviders(tx, workspaceId);
          const current = await findProvider(tx, workspaceId, providerId, true);
          if (!current) throw notFound("Provider not found");
          if (input.baseUrl) checkBaseUrl(current.kind, input.baseUrl);
          const selfHosted = SELF_HOSTED_PROVIDER_KINDS.includes(current.kind);
          if (input.baseUrl === null && selfHosted) {
            throw badRequest("base_url_required", `${current.kind} needs a base URL`);
          }
          if (input.apiKey === null && !selfHosted) {
            throw badRequest("api_key_required", `${current.kind} needs an API key`);
          }
          if (input.isDefault === false && current.isDefault) {
            throw conflict("default_required", "Make another provider the default instead");
          }
          const changed: string[] = [];
          const next = { ...current };
          if (input.name !== undefined && input.name !== current.name) {
            next.name = input.name;
            changed.push("name");
          }
          if (input.baseUrl !== undefined && input.baseUrl !== current.baseUrl) {
            next.baseUrl = input.baseUrl;
            changed.push("baseUrl");
          }
          if (input.defaultModel !== undefined && input.defaultModel !== current.defaultModel) {
            next.defaultModel = input.defaultModel;
            changed.push("defaultModel");
          }
          const { moves, keepStoredCredential } = destinationChange(
            PROVIDER_CATALOG[current.kind].destinations,
            { baseUrl: current.baseUrl },
            { baseUrl: next.baseUrl },
          );
          if (input.apiKey !== undefined) {
            next.apiKey =
              input.apiKey === null ? null : sealOrFail(keyring, input.apiKey, sealContext(current.id));
            next.keyHint = input.apiKey === null ? null : secretHint(input.apiKey);
            next.keySetAt = input.apiKey === null ? null : new Date();
            changed.push("apiKey");
          } else if (!keepStoredCredential) {
            // The stored key never follows a new destination; only a key given with it does.
            next.apiKey = null;
            next.keyHint = null;
            next.keySetAt = null;
            if (current.apiKey !== null) changed.push("apiKey");
          } else if (current.apiKey !== null && !isSealed(current.apiKey)) {
            // Legacy plaintext (accepted only under NORA_ALLOW_PLAINTEXT_SECRETS): sealed on this write.
            const opened = openSealed(keyring, current.apiKey, sealContext(current.id));
            next.apiKey = sealOrFail(keyring, opened.value, sealContext(current.id));
          }
          if (input.isDefault === true && !current.isDefault) {
            await clearDefault(tx, workspaceId, current.id);
            next.isDefault = true;
            changed.push("isDefault");
          }
          const updated = await updateProvider(tx, next);
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: "llm_provider.updated",
            workspaceId,
            target: { type: "llm_provider", id: current.id },
            metadata: {
              kind: current.kind,
              name: updated.name,
              changed,
              ...destinationMoveMetadata(moves, {
                cleared: current.apiKey !== null,
                resupplied: typeof input.apiKey === "string",
              }),
            },
          });
          return updated;
        });
        return publicProvider(row);
      } catch (error) {
        translate(error);
      }
    },

    async remove(workspaceId: string, providerId: string, ctx: ActionContext) {
      await withTransaction(pool, async (tx) => {
        await lockWorkspaceProviders(tx, workspaceId);
        const deleted = await deleteProvider(tx, workspaceId, providerId);
        if (!deleted) throw notFound("Provider not found");
        let promoted: string | undefined;
        if (deleted.isDefault) {
          // Keep exactly one default while providers remain: the oldest one takes over.
          promoted = await promoteOldestToDefault(tx, workspaceId);
        }
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "llm_provider.deleted",
          workspaceId,
          target: { type: "llm_provider", id: providerId },
          metadata: {
            kind: deleted.kind,
            name: deleted.name,
            wasDefault: deleted.isDefault,
            ...(promoted ? { newDefault: promoted } : {}),
          },
        });
      });
    },

    /** Live check against the provider's models endpoint, through the SSRF guard. Audited. */
    async test(workspaceId: string, providerId: string, ctx: ActionContext): Promise<ProbeResult> {
      const row = await findProvider(pool, workspaceId, providerId);
      if (!row) throw notFound("Provider not found");
      const apiKey = row.apiKey === null ? null : openSealed(keyring, row.apiKey, sealContext(row.id)).value;
      // Only the stored base URL and key are used; a hosted kind without its key is not called at all.
      return auditedLiveTest(pool, ctx, {
        action: "llm_provider.tested",
        workspaceId,
        target: { type: "llm_provider", id: row.id },
        subject: { kind: row.kind, name: row.name },
        missing:
          apiKey === null && !PROVIDER_CATALOG[row.kind].selfHosted
            ? "The API key is not set (it is cleared when the base URL changes); set it again"
            : undefined,
        run: () => probeProvider(row.kind, row.baseUrl, apiKey, outbound, deps.testTimeoutMs ?? 5_000),
      });
    },
  };
}

export type ProviderService = ReturnType<typeof createProviderService>;

/** The workspace's provider records with their sealed keys, for runtime delivery (provider sync). */
export const providerRowsOf = (db: Queryable, workspaceId: string) => listProviders(db, workspaceId);
