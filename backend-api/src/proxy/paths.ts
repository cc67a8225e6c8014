import type { AgentGatewayServer } from "@nora/api-contract";

/**
 * How public paths (under `/api/agents/<id>/<server>`) map to the upstream's and back. The prefix is
 * taken off, except for OpenClaw's Control UI: it is served under `gateway.controlUi.basePath`, which
 * Nora sets to the public path of `<prefix>/ui` (openclawControlUiBasePath), because the page builds
 * its asset and WebSocket URLs from that base path. OpenClaw itself keeps `/ui` for its Control UI
 * (without a base path it answers 404 there), so nothing else of the gateway lives below it.
 */
export interface PathMap {
  prefix: string;
  /** The upstream's request target for what followed the prefix (already normalised). */
  toUpstream(target: string): string;
  /** The public path for an upstream path (a redirect's Location). */
  toPublic(upstreamPath: string): string;
  /** Whether the target is the family's web UI on this server (OpenClaw's Control UI). */
  isWebUi(target: string): boolean;
}

const UI = /^\/ui(?:[/?]|$)/;

export function pathMap(family: string, server: AgentGatewayServer, prefix: string): PathMap {
  const controlUi = family === "openclaw" && server === "gateway";
  return {
    prefix,
    toUpstream: (target) => (controlUi && UI.test(target) ? `${prefix}${target}` : target),
    isWebUi: (target) => controlUi && UI.test(target),
    // An upstream that knows the prefix (OpenClaw's Control UI; Hermes through X-Forwarded-Prefix)
    // already names public paths.
    toPublic: (path) => (path === prefix || path.startsWith(`${prefix}/`) ? path : `${prefix}${path}`),
  };
}

/**
 * A redirect's Location, rewritten to the public path when it stays on the upstream (a relative
 * reference, or an absolute one naming the upstream's own host, by its recorded name or its pinned
 * address); null when it leaves it.
 */
export function publicLocation(
  location: string,
  upstream: { hostHeader: string; address: string; port: number },
  requestPath: string,
  map: PathMap,
): string | null {
  const base = `http://${upstream.hostHeader}`;
  if (!URL.canParse(location, `${base}${requestPath}`)) return null;
  const target = new URL(location, `${base}${requestPath}`);
  const pinned = upstream.address.includes(":") ? `[${upstream.address}]` : upstream.address;
  const own = new Set([upstream.hostHeader.toLowerCase(), `${pinned}:${upstream.port}`.toLowerCase()]);
  if (
    target.protocol !== "http:" ||
    target.username ||
    target.password ||
    !own.has(target.host.toLowerCase())
  )
    return null;
  return `${map.toPublic(target.pathname)}${target.search}${target.hash}`;
}
