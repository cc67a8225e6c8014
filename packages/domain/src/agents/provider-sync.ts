import { type ProviderMaterial, RuntimeError } from "@nora/agent-runtime";
import { type Config, type Keyring, type Logger, openSealed, type Pool } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { providerRowsOf } from "../providers/service.js";
import { createRuntimeTarget } from "../runtime-access/target.js";
import { runtimeProviderId, toProviderMaterial } from "./provider-material.js";
import { runtimeCallFailed } from "./runtime-errors.js";

const SYNC_TIMEOUT_MS = 15_000;

/**
 * Explicit provider key sync: the workspace's providers reach one agent's runtime only at provisioning
 * or when an operator asks for it here (no broadcast). Keys are decrypted in memory, sent once over the
 * runtime contract (POST /providers/sync, bearer per-agent token), and never returned or audited.
 * The runtime is opened through runtime-access (address from the database, inside GATEWAY_ALLOWED_CIDRS).
 */
export function createProviderSyncService(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
}) {
  const { pool, keyring, logger } = deps;
  const target = createRuntimeTarget(deps);

  /**
   * The provider material for one workspace (only the providers listed in `only`, when given), and
   * what could not be delivered (and why).
   */
  async function assemble(workspaceId: string, only: readonly string[] | null = null) {
    const providers: Array<ProviderMaterial & { kind: string }> = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    let defaultModel: string | undefined;
    for (const row of await providerRowsOf(pool, workspaceId)) {
      if (only !== null && !only.includes(row.id)) continue;
      const apiKey = row.apiKey
        ? openSealed(
            keyring,
            row.apiKey,
            { table: "llm_providers", column: "api_key", rowId: row.id },
            logger,
          ).value
        : null;
      const result = toProviderMaterial(row, apiKey);
      if ("skipped" in result) {
        skipped.push({ id: runtimeProviderId(row), reason: result.skipped });
        continue;
      }
      providers.push({ ...result.material, kind: row.kind });
      if (row.isDefault) defaultModel = `${result.material.id}/${row.defaultModel}`;
    }
    return { providers, skipped, defaultModel };
  }

  return {
    assemble,

    async sync(agentId: string, ctx: ActionContext) {
      const { agent, client: runtime } = await target.openAgentRuntime(agentId, {
        requestId: ctx.requestId,
        timeoutMs: SYNC_TIMEOUT_MS,
      });
      // Only the providers the agent was given: a key never reaches an agent that was not meant to have it.
      const { providers, skipped, defaultModel } = await assemble(agent.workspaceId, agent.providerIds);

      try {
        await runtime.syncProviders({
          providers: providers.map(({ kind: _kind, ...material }) => material),
          defaultModel,
        });
      } catch (error) {
        if (error instanceof RuntimeError) {
          logger.warn(
            { agentId, status: error.status, code: error.code, runtimeRequestId: error.requestId },
            "the provider sync did not reach or was refused by the agent's runtime",
          );
        }
        throw runtimeCallFailed(error, "runtime_sync_failed", "The agent's runtime refused the sync");
      }
      const delivered = providers.map((p) => ({ id: p.id, kind: p.kind, model: p.models[0]?.id ?? null }));
      await recordAudit(pool, {
        ...auditFieldsOf(ctx),
        action: "agent.providers_synced",
        workspaceId: agent.workspaceId,
        target: { type: "agent", id: agentId },
        metadata: { providers: delivered.map((p) => p.id), skipped, defaultModel: defaultModel ?? null },
      });
      return { synced: true, providers: delivered, skipped, defaultModel: defaultModel ?? null };
    },
  };
}

export type ProviderSyncService = ReturnType<typeof createProviderSyncService>;
