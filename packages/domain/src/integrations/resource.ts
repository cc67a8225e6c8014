import { randomUUID } from "node:crypto";
import {
  AppError,
  badRequest,
  DEFAULT_OUTBOUND_POLICY,
  isSealed,
  type Keyring,
  notFound,
  type OutboundOptions,
  openSealed,
  type Pool,
  type Queryable,
  sealOrFail,
  withTransaction,
} from "@nora/core";
import { z } from "zod";
import { agentBelongsTo } from "../agents/service.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import {
  auditedLiveTest,
  destinationMoveMetadata,
  rethrowNameTaken,
  secretHint,
} from "../shared/sealed-resource.js";
import type { KindSpec } from "./catalog.js";
import { checkDestinations, destinationChange } from "./destinations.js";
import { type IntegrationProbeResult, probeIntegration } from "./probe.js";
import {
  type CatalogRow,
  type CatalogTable,
  deleteRow,
  findRow,
  insertRow,
  listRows,
  updateRow,
} from "./repo.js";

/**
 * Workspace resources described by a catalog kind (integrations, channels): non-secret `config` as
 * JSON, secret `credentials` sealed as one JSON document per row, masked on read as
 * `{ field: {set, hint} }`. Updates merge: an omitted field is kept, `null` clears an optional one.
 */
export interface CatalogResourceOptions {
  table: CatalogTable;
  catalog: Record<string, KindSpec>;
  /** Audit action prefix and target type: "integration" → `integration.created`. */
  noun: string;
  /** For messages: "Integration". */
  label: string;
  /** Channels carry an optional agent id. */
  withAgent?: boolean;
}

export interface CatalogServiceDeps {
  pool: Pool;
  keyring: Keyring;
  /** Outbound policy for tests of the resource (NORA_OUTBOUND_ALLOWED_CIDRS) and, in tests, a resolver. */
  outbound?: OutboundOptions;
  testTimeoutMs?: number;
}

/** An attached agent must belong to the same workspace; another workspace's agent is as unknown as none. */
async function requireAgent(db: Queryable, workspaceId: string, agentId: string): Promise<void> {
  if (!(await agentBelongsTo(db, workspaceId, agentId))) {
    throw badRequest("unknown_agent", "No agent with this id in this workspace");
  }
}

export interface CreateInput {
  kind: string;
  name: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  agentId?: string;
}
export interface UpdateInput {
  name?: string;
  config?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  agentId?: string | null;
}

function merge(base: Record<string, unknown>, patch: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

function hintsOf(credentials: Record<string, unknown>): Record<string, string | null> {
  const hints: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(credentials)) {
    if (value !== undefined && value !== null) hints[field] = secretHint(String(value));
  }
  return hints;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function createCatalogService(deps: CatalogServiceDeps, options: CatalogResourceOptions) {
  const { pool, keyring } = deps;
  const { table, catalog, noun } = options;
  const outbound = deps.outbound ?? { policy: DEFAULT_OUTBOUND_POLICY };
  const sealContext = (rowId: string) => ({ table, column: "credentials", rowId });

  const specOf = (kind: string): KindSpec => {
    const spec = catalog[kind];
    if (!spec) throw new AppError(409, "unknown_kind", `${kind} is no longer supported`);
    return spec;
  };

  /** What callers see: config, and for each secret field only whether it is set and its hint. */
  function publicRow(row: CatalogRow) {
    const spec = catalog[row.kind];
    const credentials: Record<string, { set: true; hint: string | null } | { set: false }> = {};
    for (const field of Object.keys(spec?.credentials.shape ?? {})) {
      credentials[field] =
        field in row.secretHints ? { set: true, hint: row.secretHints[field] ?? null } : { set: false };
    }
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      ...(options.withAgent ? { agentId: row.agentId ?? null } : {}),
      config: row.config,
      credentials,
      warnings: spec?.warnings?.(row.config) ?? [],
      credentialsSetAt: row.credentialsSetAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  function sealCredentials(rowId: string, credentials: Record<string, unknown>): string | null {
    return Object.keys(credentials).length === 0
      ? null
      : sealOrFail(keyring, JSON.stringify(credentials), sealContext(rowId));
  }

  function openCredentials(row: CatalogRow): { values: Record<string, unknown>; legacy: boolean } {
    if (row.credentials === null) return { values: {}, legacy: false };
    const opened = openSealed(keyring, row.credentials, sealContext(row.id));
    try {
      return { values: JSON.parse(opened.value) as Record<string, unknown>, legacy: opened.legacyPlaintext };
    } catch {
      throw new AppError(409, "secret_unreadable", "The stored credentials are unreadable; set them again");
    }
  }

  function translate(error: unknown): never {
    return rethrowNameTaken(
      error,
      `${table}_workspace_id_name_key`,
      `${options.label} names are unique in a workspace`,
    );
  }

  return {
    list: async (workspaceId: string) => (await listRows(pool, table, workspaceId)).map(publicRow),

    async get(workspaceId: string, id: string) {
      const row = await findRow(pool, table, workspaceId, id);
      if (!row) throw notFound(`${options.label} not found`);
      return publicRow(row);
    },

    async create(workspaceId: string, userId: string, input: CreateInput, ctx: ActionContext) {
      const spec = specOf(input.kind);
      checkDestinations(spec.destinations, input.config, outbound.policy);
      const id = randomUUID();
      const credentials = Object.fromEntries(
        Object.entries(input.credentials).filter(([, v]) => v !== undefined),
      );
      const sealed = sealCredentials(id, credentials);
      try {
        const row = await withTransaction(pool, async (tx) => {
          if (options.withAgent && input.agentId) await requireAgent(tx, workspaceId, input.agentId);
          const created = await insertRow(tx, table, {
            id,
            workspaceId,
            kind: input.kind,
            name: input.name,
            config: input.config,
            credentials: sealed,
            secretHints: hintsOf(credentials),
            credentialsSetAt: sealed ? new Date() : null,
            ...(options.withAgent ? { agentId: input.agentId ?? null } : {}),
            createdBy: userId,
          });
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: `${noun}.created`,
            workspaceId,
            target: { type: noun, id },
            metadata: {
              kind: input.kind,
              name: input.name,
              fields: [
                ...Object.keys(input.config).map((f) => `config.${f}`),
                ...Object.keys(credentials).map((f) => `credentials.${f}`),
              ].sort(),
              ...(input.agentId ? { agentId: input.agentId } : {}),
            },
          });
          return created;
        });
        return publicRow(row);
      } catch (error) {
        translate(error);
      }
    },

    async update(workspaceId: string, id: string, input: UpdateInput, ctx: ActionContext) {
      try {
        const row = await withTransaction(pool, async (tx) => {
          const current = await findRow(tx, table, workspaceId, id, true);
          if (!current) throw notFound(`${options.label} not found`);
          const spec = specOf(current.kind);
          const changed: string[] = [];
          const next: CatalogRow = { ...current };
          if (input.name !== undefined && input.name !== current.name) {
            next.name = input.name;
            changed.push("name");
          }
          if (
            options.withAgent &&
            input.agentId !== undefined &&
            input.agentId !== (current.agentId ?? null)
          ) {
            if (input.agentId) await requireAgent(tx, workspaceId, input.agentId);
            next.agentId = input.agentId;
            changed.push("agentId");
          }
          const configPatch = input.config ?? {};
          const credentialPatch = input.credentials ?? {};
          const config = z
            .strictObject({ config: spec.config })
            .parse({ config: merge(current.config, configPatch) }).config;
          for (const field of new Set([...Object.keys(current.config), ...Object.keys(config)])) {
            if (!same(current.config[field], config[field])) changed.push(`config.${field}`);
          }
          if (changed.some((f) => f.startsWith("config."))) {
            checkDestinations(spec.destinations, config, outbound.policy);
          }
          next.config = config;
          // Stored rows predate defaults added later: compare both sides with the kind's defaults applied.
          const before = spec.config.safeParse(current.config).data ?? current.config;
          const { moves, keepStoredCredential } = destinationChange(spec.destinations, before, config);
          const hadCredentials = current.credentials !== null;
          const stale = hadCredentials && !isSealed(current.credentials as string);
          // Credentials are opened (and checked) only when the update touches them or they need
          // re-sealing; a moved destination never opens them: they stay behind.
          if (input.credentials !== undefined || !keepStoredCredential || stale) {
            const base = keepStoredCredential ? openCredentials(current).values : {};
            const patched = merge(base, credentialPatch);
            const credentials =
              keepStoredCredential || Object.keys(patched).length > 0
                ? (z.strictObject({ credentials: spec.credentials }).parse({ credentials: patched })
                    .credentials as Record<string, unknown>)
                : {};
            const kept = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== undefined));
            for (const field of Object.keys(credentialPatch)) changed.push(`credentials.${field}`);
            if (!keepStoredCredential) {
              for (const field of Object.keys(current.secretHints)) changed.push(`credentials.${field}`);
            }
            next.credentials = sealCredentials(current.id, kept);
            next.secretHints = hintsOf(kept);
            if (Object.keys(credentialPatch).length > 0 || !keepStoredCredential)
              next.credentialsSetAt = next.credentials ? new Date() : null;
          }
          const updated = await updateRow(tx, table, next);
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: `${noun}.updated`,
            workspaceId,
            target: { type: noun, id },
            metadata: {
              kind: current.kind,
              name: updated.name,
              changed: [...new Set(changed)].sort(),
              ...destinationMoveMetadata(moves, {
                cleared: hadCredentials,
                resupplied: Object.keys(credentialPatch).length > 0,
              }),
            },
          });
          return updated;
        });
        return publicRow(row);
      } catch (error) {
        translate(error);
      }
    },

    async remove(workspaceId: string, id: string, ctx: ActionContext) {
      await withTransaction(pool, async (tx) => {
        const deleted = await deleteRow(tx, table, workspaceId, id);
        if (!deleted) throw notFound(`${options.label} not found`);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: `${noun}.deleted`,
          workspaceId,
          target: { type: noun, id },
          metadata: { kind: deleted.kind, name: deleted.name },
        });
      });
    },

    /** A live check through the SSRF guard, audited with its outcome (never the credentials). */
    async test(workspaceId: string, id: string, ctx: ActionContext): Promise<IntegrationProbeResult> {
      const row = await findRow(pool, table, workspaceId, id);
      if (!row) throw notFound(`${options.label} not found`);
      const { values } = openCredentials(row);
      // Only the stored destination and stored credentials are used; incomplete credentials (cleared
      // when the destination changed) are not sent anywhere.
      return auditedLiveTest(pool, ctx, {
        action: `${noun}.tested`,
        workspaceId,
        target: { type: noun, id: row.id },
        subject: { kind: row.kind, name: row.name },
        missing: specOf(row.kind).credentials.safeParse(values).success
          ? undefined
          : "The credentials are not set (they are cleared when the destination changes); set them again",
        run: () => probeIntegration(row.kind, row.config, values, outbound, deps.testTimeoutMs ?? 5_000),
      });
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
