import { type BlockList, isIP } from "node:net";
import { RuntimeClient } from "@nora/agent-runtime";
import {
  AppError,
  type Config,
  embeddedIPv4,
  type Keyring,
  type Logger,
  notFound,
  openSealed,
  type Pool,
  parseAllowlist,
} from "@nora/core";
import { type AgentRuntimeRow, findAgentRuntime } from "./repo.js";

/**
 * Addresses no runtime may have, whatever GATEWAY_ALLOWED_CIDRS says: "this network", link-local
 * (cloud metadata lives at 169.254.169.254), multicast, broadcast, the unspecified IPv6 address and
 * IPv6 link-local and multicast.
 */
export const ALWAYS_REFUSED_CIDRS = [
  "0.0.0.0/8",
  "169.254.0.0/16",
  "224.0.0.0/4",
  "255.255.255.255/32",
  "::/128",
  "fe80::/10",
  "ff00::/8",
] as const;

const alwaysRefused = parseAllowlist(ALWAYS_REFUSED_CIDRS);

export type RefusalReason =
  | "not_a_url"
  | "not_http"
  | "credentials"
  | "query_or_fragment"
  | "path"
  | "not_an_address_literal"
  | "no_port"
  | "always_refused"
  | "outside_allowed_cidrs";

function listed(list: BlockList, host: string): boolean {
  const family = isIP(host) === 4 ? "ipv4" : "ipv6";
  if (list.check(host, family)) return true;
  // ::ffff:169.254.169.254 reaches the IPv4 address it embeds: judge that one too.
  const inner = embeddedIPv4(host);
  return inner !== undefined && list.check(inner, "ipv4");
}

/**
 * Judges a runtime URL as recorded in the database. The answer is a URL whose host is an address
 * literal (so the connection goes exactly where the check looked), or the reason it is refused.
 */
export function judgeRuntimeUrl(
  runtimeUrl: string,
  allowed: BlockList,
): { url: URL; host: string } | { refused: RefusalReason; host: string } {
  if (!URL.canParse(runtimeUrl)) return { refused: "not_a_url", host: "" };
  const url = new URL(runtimeUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (url.protocol !== "http:") return { refused: "not_http", host };
  if (url.username || url.password) return { refused: "credentials", host };
  if (url.search || url.hash || runtimeUrl.includes("?") || runtimeUrl.includes("#"))
    return { refused: "query_or_fragment", host };
  if (url.pathname !== "/") return { refused: "path", host };
  if (isIP(host) === 0) return { refused: "not_an_address_literal", host };
  // The recorded contract port, written out: an implied :80 is not a runtime's port.
  const port = Number(url.port);
  if (url.port === "" || !Number.isInteger(port) || port < 1 || port > 65535)
    return { refused: "no_port", host };
  if (listed(alwaysRefused, host)) return { refused: "always_refused", host };
  if (!listed(allowed, host)) return { refused: "outside_allowed_cidrs", host };
  return { url, host };
}

export interface OpenOptions {
  requestId: string;
  timeoutMs: number;
}

export interface OpenRuntime {
  agent: AgentRuntimeRow;
  client: RuntimeClient;
}

/**
 * The one way the API reaches an agent's runtime (port 9090 contract): the address comes from the
 * agent's row, never from a request, and must pass judgeRuntimeUrl; the per-agent token is opened
 * here and travels only in the client's header.
 */
export function createRuntimeTarget(deps: { config: Config; pool: Pool; keyring: Keyring; logger: Logger }) {
  const { pool, keyring, logger } = deps;
  const allowed = parseAllowlist(deps.config.network.gatewayAllowedCidrs);

  async function openAgentRuntime(agentId: string, options: OpenOptions): Promise<OpenRuntime> {
    const agent = await findAgentRuntime(pool, agentId);
    if (!agent) throw notFound("Agent not found");
    if (agent.status !== "running") {
      throw new AppError(409, "agent_not_running", "The agent is not running");
    }
    if (!agent.runtimeUrl || !agent.runtimeTokenSealed) {
      throw new AppError(409, "runtime_not_recorded", "The agent's runtime has not been recorded yet");
    }
    const judged = judgeRuntimeUrl(agent.runtimeUrl, allowed);
    if ("refused" in judged) {
      logger.error(
        { agentId, runtimeHost: judged.host, reason: judged.refused },
        "agent runtime address is not allowed (GATEWAY_ALLOWED_CIDRS); refusing to call it",
      );
      throw new AppError(409, "runtime_address_not_allowed", "The agent's runtime address is not allowed");
    }
    const token = openSealed(
      keyring,
      agent.runtimeTokenSealed,
      { table: "agents", column: "runtime_token_sealed", rowId: agent.id },
      logger,
    ).value;
    const client = new RuntimeClient({
      baseUrl: judged.url,
      token,
      requestId: options.requestId,
      timeoutMs: options.timeoutMs,
    });
    return { agent, client };
  }

  return { openAgentRuntime };
}

export type RuntimeTarget = ReturnType<typeof createRuntimeTarget>;
