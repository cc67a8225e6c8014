import { lookup as dnsLookup } from "node:dns/promises";
import { type BlockList, isIP } from "node:net";
import {
  AGENT_PORTS,
  type GatewayDeviceIdentity,
  gatewayDeviceIdentity,
  hermesDashboardCredential,
  RuntimeClient,
} from "@nora/agent-runtime";
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
import type { ReadThrough } from "../shared/read-through.js";
import { type AgentGatewayRow, type AgentRuntimeRow, findAgentGateway, findAgentRuntime } from "./repo.js";

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
  | "no_port"
  | "port_not_allowed"
  | "unresolvable"
  | "always_refused"
  | "outside_allowed_cidrs";

/** Where upstreams may be: GATEWAY_ALLOWED_CIDRS and GATEWAY_ALLOWED_PORTS, parsed once. */
export interface UpstreamPolicy {
  addresses: BlockList;
  ports: ReadonlyArray<{ first: number; last: number }>;
}

export function upstreamPolicy(network: Config["network"]): UpstreamPolicy {
  return { addresses: parseAllowlist(network.gatewayAllowedCidrs), ports: network.gatewayAllowedPorts };
}

/** Every address a name resolves to (A and AAAA, in the resolver's order). */
export type ResolveAll = (hostname: string) => Promise<string[]>;

const resolveWithSystem: ResolveAll = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** An upstream that passed: connect to `url` (an address literal); send `hostHeader` as Host. */
export interface PinnedUpstream {
  url: URL;
  address: string;
  port: number;
  hostHeader: string;
}

export type Judged = PinnedUpstream | { refused: RefusalReason; host: string };

function listed(list: BlockList, host: string): boolean {
  const family = isIP(host) === 4 ? "ipv4" : "ipv6";
  if (list.check(host, family)) return true;
  // ::ffff:169.254.169.254 reaches the IPv4 address it embeds: judge that one too.
  const inner = embeddedIPv4(host);
  return inner !== undefined && list.check(inner, "ipv4");
}

function judgeAddress(address: string, policy: UpstreamPolicy): RefusalReason | null {
  if (listed(alwaysRefused, address)) return "always_refused";
  if (!listed(policy.addresses, address)) return "outside_allowed_cidrs";
  return null;
}

/**
 * Judges an agent's upstream URL as recorded in the database (runtime, gateway or dashboard). A host
 * name is resolved once, here: every address it gives must pass (one bad answer refuses the name, so
 * a resolver mixing answers cannot slip one in), and the connection is pinned to the first, so what was
 * checked is where the connection goes. Nothing connects before the answer.
 */
export async function judgeUpstreamUrl(
  upstreamUrl: string,
  policy: UpstreamPolicy,
  resolveAll: ResolveAll = resolveWithSystem,
): Promise<Judged> {
  if (!URL.canParse(upstreamUrl)) return { refused: "not_a_url", host: "" };
  const url = new URL(upstreamUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (url.protocol !== "http:") return { refused: "not_http", host };
  if (url.username || url.password) return { refused: "credentials", host };
  if (url.search || url.hash || upstreamUrl.includes("?") || upstreamUrl.includes("#"))
    return { refused: "query_or_fragment", host };
  if (url.pathname !== "/") return { refused: "path", host };
  // The recorded port, written out: an implied :80 is not an agent's port.
  const port = Number(url.port);
  if (url.port === "" || !Number.isInteger(port) || port < 1 || port > 65535)
    return { refused: "no_port", host };

  // Judged before any lookup: a name on a port nobody may call is not even resolved.
  if (!policy.ports.some((range) => range.first <= port && port <= range.last))
    return { refused: "port_not_allowed", host };

  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    addresses = await resolveAll(host).catch(() => []);
    if (addresses.length === 0) return { refused: "unresolvable", host };
  }
  for (const address of addresses) {
    const reason = judgeAddress(address, policy);
    if (reason) return { refused: reason, host };
  }

  const address = addresses[0] as string;
  const literal = isIP(address) === 6 ? `[${address}]` : address;
  return { url: new URL(`http://${literal}:${port}/`), address, port, hostHeader: url.host };
}

export interface OpenOptions {
  requestId: string;
  timeoutMs: number;
}

export interface OpenRuntime {
  agent: AgentRuntimeRow;
  client: RuntimeClient;
}

/** Which of the agent's own servers: its machine API (`gateway`) or its separate web UI (`dashboard`). */
export type AgentServer = "gateway" | "dashboard";

export interface OpenGateway {
  readonly agent: Readonly<AgentGatewayRow>;
  readonly upstream: Readonly<PinnedUpstream>;
  /** The header that authenticates Nora to that server; added server-side, never shown to a caller. */
  readonly credential: { readonly authorization: string };
}

/** What speaking the gateway's WebSocket protocol needs: its address, and Nora's secrets for it. */
export interface OpenGatewaySocket {
  agent: AgentGatewayRow;
  upstream: PinnedUpstream;
  /** The shared gateway token: it goes into the connect frame Nora writes, never to a caller. */
  token: string;
  /** The device Nora connects as (its private key opened in memory only). */
  device: GatewayDeviceIdentity;
}

/**
 * The one way the API reaches an agent (its runtime's 9090 contract, its gateway, its dashboard): the
 * address comes from the agent's row, never from a request, and must pass judgeUpstreamUrl; the
 * per-agent secrets are opened here and travel only in headers.
 */
export function createRuntimeTarget(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  /** Tests give their own resolver; production asks the system's. */
  resolveAll?: ResolveAll;
  /**
   * A cache in front of `openAgentGateway` (the API's auth cache, emptied on every change to an
   * agent's status, address or token: migration 0015); without it every call reads and judges anew.
   */
  readThrough?: ReadThrough;
}) {
  const { pool, keyring, logger } = deps;
  const readThrough: ReadThrough = deps.readThrough ?? ((_kind, _key, load) => load());
  const policy = upstreamPolicy(deps.config.network);

  function usable<T extends { status: string }>(agent: T | undefined): T {
    if (!agent) throw notFound("Agent not found");
    if (agent.status !== "running") {
      throw new AppError(409, "agent_not_running", "The agent is not running");
    }
    return agent;
  }

  async function judged(agentId: string, which: string, recorded: string): Promise<PinnedUpstream> {
    const answer = await judgeUpstreamUrl(recorded, policy, deps.resolveAll);
    if ("refused" in answer) {
      logger.error(
        { agentId, upstream: which, upstreamHost: answer.host, reason: answer.refused },
        "agent address is not allowed (GATEWAY_ALLOWED_CIDRS / GATEWAY_ALLOWED_PORTS); refusing to call it",
      );
      throw new AppError(409, "runtime_address_not_allowed", "The agent's runtime address is not allowed");
    }
    return answer;
  }

  function open(sealed: string, column: string, rowId: string): string {
    return openSealed(keyring, sealed, { table: "agents", column, rowId }, logger).value;
  }

  async function openAgentRuntime(agentId: string, options: OpenOptions): Promise<OpenRuntime> {
    const agent = usable(await findAgentRuntime(pool, agentId));
    if (!agent.runtimeUrl || !agent.runtimeTokenSealed) {
      throw new AppError(409, "runtime_not_recorded", "The agent's runtime has not been recorded yet");
    }
    const upstream = await judged(agentId, "runtime", agent.runtimeUrl);
    const client = new RuntimeClient({
      baseUrl: upstream.url,
      token: open(agent.runtimeTokenSealed, "runtime_token_sealed", agent.id),
      requestId: options.requestId,
      timeoutMs: options.timeoutMs,
    });
    return { agent, client };
  }

  /**
   * The agent's gateway (OpenClaw's gateway, Hermes' API server: bearer gateway token) or dashboard
   * (Hermes': basic auth with the password derived from the gateway token). A family without a
   * separate dashboard answers 404 for it. Served from `readThrough` when the process caches it: what
   * is cached is this whole answer, so a hit connects to the address that was judged, with the token
   * of the same row; any refusal is thrown before anything is stored.
   */
  async function openAgentGateway(agentId: string, which: AgentServer): Promise<OpenGateway> {
    const opened = await readThrough("agentGateways", `${which}:${agentId}`, () =>
      openGatewayFresh(agentId, which),
    );
    if (!opened) throw notFound("Agent not found");
    return opened;
  }

  async function openGatewayFresh(agentId: string, which: AgentServer): Promise<OpenGateway> {
    const agent = usable(await findAgentGateway(pool, agentId));
    if (which === "dashboard" && AGENT_PORTS[agent.runtimeFamily].dashboard === null) {
      throw new AppError(404, "no_dashboard", "This agent's runtime has no separate dashboard");
    }
    const recorded = which === "gateway" ? agent.gatewayUrl : agent.dashboardUrl;
    if (!recorded || !agent.gatewayTokenSealed) {
      throw new AppError(409, "runtime_not_recorded", "The agent's runtime has not been recorded yet");
    }
    const upstream = await judged(agentId, which, recorded);
    const token = open(agent.gatewayTokenSealed, "gateway_token_sealed", agent.id);
    let authorization = `Bearer ${token}`;
    if (which === "dashboard") {
      const { username, password } = hermesDashboardCredential(token);
      authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    }
    // Shared by every request a cache serves it to: frozen, so no caller can change it for the next.
    return Object.freeze({
      agent: Object.freeze(agent),
      upstream: Object.freeze(upstream),
      credential: Object.freeze({ authorization }),
    });
  }

  /**
   * OpenClaw's gateway as a WebSocket peer (its protocol authenticates inside the connection: the token
   * and a device signature in the connect frame). Same address rules as openAgentGateway; Hermes has
   * no such protocol (404), an agent deployed before Nora had a device for it is told to redeploy (409).
   */
  async function openAgentGatewaySocket(agentId: string): Promise<OpenGatewaySocket> {
    const agent = usable(await findAgentGateway(pool, agentId));
    if (agent.runtimeFamily !== "openclaw") {
      throw new AppError(404, "no_gateway_socket", "This agent's runtime has no gateway WebSocket");
    }
    if (!agent.gatewayUrl || !agent.gatewayTokenSealed) {
      throw new AppError(409, "runtime_not_recorded", "The agent's runtime has not been recorded yet");
    }
    if (!agent.gatewayDeviceKeySealed) {
      throw new AppError(
        409,
        "gateway_device_missing",
        "This agent was deployed before Nora could connect to its gateway's WebSocket: redeploy it",
      );
    }
    const upstream = await judged(agentId, "gateway", agent.gatewayUrl);
    const token = open(agent.gatewayTokenSealed, "gateway_token_sealed", agent.id);
    const device = gatewayDeviceIdentity(
      open(agent.gatewayDeviceKeySealed, "gateway_device_key_sealed", agent.id),
    );
    return { agent, upstream, token, device };
  }

  return { openAgentRuntime, openAgentGateway, openAgentGatewaySocket };
}

export type RuntimeTarget = ReturnType<typeof createRuntimeTarget>;
