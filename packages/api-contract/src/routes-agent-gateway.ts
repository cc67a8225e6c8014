import { z } from "zod";
import { text } from "./route.js";

// Viewers (and `agents:read` keys) may read through the proxy (GET, and HEAD with it); anything that
// could change the agent needs an editor (or `agents:write`).
const READ = { kind: "agent", role: "viewer", scope: "agents:read" } as const;
const WRITE = { kind: "agent", role: "editor", scope: "agents:write" } as const;

/**
 * The agent, from the path. Express adds the wildcard's segments as `path`; the proxy reads the upstream
 * path from the raw URL instead (judged by `gatewayUpstreamPath`), so that key is dropped here.
 */
export const gatewayParams = z.object({ agentId: z.uuid() });

/** Which of the agent's servers a proxy route reaches. */
export const AGENT_GATEWAY_SERVERS = ["gateway", "dashboard"] as const;
export type AgentGatewayServer = (typeof AGENT_GATEWAY_SERVERS)[number];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

const PATHS = {
  gateway: "/api/agents/:agentId/gateway{/*path}",
  dashboard: "/api/agents/:agentId/dashboard{/*path}",
} as const;

const SUMMARIES = {
  gateway:
    "Proxy to the agent's gateway (OpenClaw's gateway and Control UI, Hermes' API server), with Nora's credential added; streamed",
  dashboard:
    "Proxy to the agent's separate dashboard (Hermes'); OpenClaw has none (404 no_dashboard); streamed",
} as const;

function proxyRoute<S extends AgentGatewayServer, M extends Method>(server: S, method: M) {
  return {
    method,
    path: PATHS[server],
    requirement: method === "GET" ? READ : WRITE,
    summary: SUMMARIES[server],
    params: gatewayParams,
    responses: {
      200: text(
        "*/*",
        "The upstream's answer, whatever its status, streamed through (docs/runtime-access.md)",
      ),
    },
  } as const;
}

/** The gateway proxy (docs/runtime-access.md, "Gateway proxy"): every method, both servers. */
export const agentGatewayRoutes = {
  gatewayGet: proxyRoute("gateway", "GET"),
  gatewayPost: proxyRoute("gateway", "POST"),
  gatewayPut: proxyRoute("gateway", "PUT"),
  gatewayPatch: proxyRoute("gateway", "PATCH"),
  gatewayDelete: proxyRoute("gateway", "DELETE"),
  dashboardGet: proxyRoute("dashboard", "GET"),
  dashboardPost: proxyRoute("dashboard", "POST"),
  dashboardPut: proxyRoute("dashboard", "PUT"),
  dashboardPatch: proxyRoute("dashboard", "PATCH"),
  dashboardDelete: proxyRoute("dashboard", "DELETE"),
};

/** The public prefix of a proxy route for one agent (what the upstream path is taken after). */
export function gatewayPrefix(server: AgentGatewayServer, agentId: string): string {
  return `/api/agents/${agentId}/${server}`;
}

/**
 * What follows the prefix in the raw request target (path and query, percent-encoding as sent): empty,
 * or starting with `/` or `?`; no backslash, NUL or other control character, no encoded slash,
 * backslash or NUL (an upstream could decode them into a path of its own); at most 4096 characters.
 * Dot segments are resolved by the proxy (`.`/`..`, `%2e` included); one that climbs above the
 * upstream's root is refused.
 */
export const gatewayUpstreamTarget = z
  .string()
  .max(4096)
  .refine((raw) => raw === "" || raw.startsWith("/") || raw.startsWith("?"), "The path must start with /")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((raw) => !/[\u0000-\u0020\u007f\\]/.test(raw), "No spaces, control characters or backslashes")
  .refine((raw) => !/%(00|2f|5c)/i.test(raw.split("?")[0] as string), "No encoded NUL, slash or backslash")
  .transform((raw, ctx) => {
    const cut = raw.indexOf("?");
    const path = cut === -1 ? raw : raw.slice(0, cut);
    const query = cut === -1 ? "" : raw.slice(cut);
    const out: string[] = [];
    const segments = path.split("/").slice(1);
    for (const [i, segment] of segments.entries()) {
      const dots = segment.replace(/%2e/gi, ".");
      const last = i === segments.length - 1;
      if (dots === "..") {
        if (out.length === 0) {
          ctx.addIssue({ code: "custom", message: "The path may not climb above the upstream's root" });
          return z.NEVER;
        }
        out.pop();
        if (last) out.push("");
      } else if (dots === ".") {
        if (last) out.push("");
      } else {
        out.push(segment);
      }
    }
    return `/${out.join("/")}${query}`;
  });
