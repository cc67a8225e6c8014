import { isIP } from "node:net";
import { type ProviderMaterial, RuntimeClient, RuntimeError } from "@nora/agent-runtime";
import {
  AppError,
  type Config,
  type Keyring,
  type Logger,
  notFound,
  openSealed,
  type Pool,
  parseAllowlist,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { providerRowsOf } from "../providers/service.js";
import { runtimeProviderId, toProviderMaterial } from "./provider-material.js";
import { findAgentRuntime } from "./repo.js";
import { runtimeCallFailed } from "./runtime-errors.js";

const SYNC_TIMEOUT_MS = 15_000;

/**
 * Explicit provider key sync: the workspace's providers reach one agent's runtime only at provisioning
 * or when an operator asks for it here (no broadcast). Keys are decrypted in memory, sent once over the
 * runtime contract (POST /providers/sync, bearer per-agent token), and never returned or audited.
 * The runtime's address comes from the database and must lie inside GATEWAY_ALLOWED_CIDRS.
 */
export function createProviderSyncService(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
}) {
  const { pool, keyring, logger } = deps;
  const runtimeNetworks = parseAllowlist(deps.config.network.gatewayAllowedCidrs);

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

  function checkedRuntimeUrl(runtimeUrl: string): URL {
    const url = URL.canParse(runtimeUrl) ? new URL(runtimeUrl) : null;
    const host = url === null ? "" : url.hostname.replace(/^\[|\]$/g, "");
    const family = isIP(host);
    const plain = url !== null && url.protocol === "http:" && !url.username && !url.password && !url.search;
    if (!plain || family === 0 || !runtimeNetworks.check(host, family === 4 ? "ipv4" : "ipv6")) {
      logger.error(
        { runtimeHost: host },
        "agent runtime address is outside GATEWAY_ALLOWED_CIDRS; refusing to call it",
      );
      throw new AppError(409, "runtime_address_not_allowed", "The agent's runtime address is not allowed");
    }
    return url as URL;
  }

  return {
    assemble,

    async sync(agentId: string, ctx: ActionContext) {
      const agent = await findAgentRuntime(pool, agentId);
      if (!agent) throw notFound("Agent not found");
      if (agent.status !== "running" || !agent.runtimeUrl || !agent.runtimeTokenSealed) {
        throw new AppError(
          409,
          "agent_not_running",
          "Providers reach an agent when it runs; this one does not",
        );
      }
      const url = checkedRuntimeUrl(agent.runtimeUrl);
      const token = openSealed(
        keyring,
        agent.runtimeTokenSealed,
        { table: "agents", column: "runtime_token_sealed", rowId: agent.id },
        logger,
      ).value;
      // Only the providers the agent was given: a key never reaches an agent that was not meant to have it.
      const { providers, skipped, defaultModel } = await assemble(agent.workspaceId, agent.providerIds);

      // The checked URL is an address literal, so the connection goes exactly where the check said.
      const runtime = new RuntimeClient({
        baseUrl: url,
        token,
        requestId: ctx.requestId,
        timeoutMs: SYNC_TIMEOUT_MS,
      });
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
