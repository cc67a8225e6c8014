import { type AgentGatewayServer, API, gatewayPrefix, gatewayUpstreamTarget } from "@nora/api-contract";
import { badRequest, type Config } from "@nora/core";
import type { RuntimeTarget } from "@nora/domain/runtime-access/target";
import { type Request, Router } from "express";
import { changesNoAccess } from "../http/authenticate.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { forward } from "../proxy/forward.js";
import { upstreamRequestHeaders } from "../proxy/headers.js";
import { pathMap } from "../proxy/paths.js";
import { webUisDisabled } from "../proxy/web-uis.js";

type ProxyRoute = (typeof API.agentGateway)[keyof typeof API.agentGateway];

const PROXIED = /^\/api\/agents\/[^/?#]+\/(?:gateway|dashboard)(?=[/?]|$)/i;

/** A proxied request's body is streamed to the upstream: json-body leaves it unread. */
export function isAgentGatewayRequest(req: Request): boolean {
  return PROXIED.test(req.path);
}

/** What follows `/api/agents/<id>/<server>` in the raw request target, percent-encoding as sent. */
function rawTarget(req: Request): string {
  const match = PROXIED.exec(req.originalUrl);
  return match ? req.originalUrl.slice(match[0].length) : "";
}

export function agentGatewayRoutes(deps: {
  config: Config;
  target: RuntimeTarget;
  requires: Requires;
}): Router {
  const { config, target, requires } = deps;
  const router = Router();
  const publicUrl = new URL(config.api.publicUrl);
  const routes = API.agentGateway;

  const proxy = (server: AgentGatewayServer) => (entry: ProxyRoute) =>
    mount<ProxyRoute>(router, requires, entry, async (req, res, { params }) => {
      // What the agent's server does with a request changes nothing of Nora's: no cache is emptied.
      changesNoAccess(res);
      const parsed = gatewayUpstreamTarget.safeParse(rawTarget(req));
      if (!parsed.success) {
        throw badRequest(
          "invalid_path",
          parsed.error.issues[0]?.message ?? "The upstream path is not allowed",
        );
      }
      if (server === "dashboard" && !config.api.gatewayProxy.webUis) throw webUisDisabled();
      const { agent, upstream, credential } = await target.openAgentGateway(params.agentId, server);
      const prefix = gatewayPrefix(server, params.agentId);
      const map = pathMap(agent.runtimeFamily, server, prefix);
      if (map.isWebUi(parsed.data) && !config.api.gatewayProxy.webUis) throw webUisDisabled();
      const headers = upstreamRequestHeaders(req.headers, {
        host: upstream.hostHeader,
        authorization: credential.authorization,
        requestId: req.id,
        // OpenClaw's gateway refuses any forwarded claim from a peer outside gateway.trustedProxies
        // (403 proxy_attribution_required), and the API's address as its container sees it is not
        // known in advance: it gets none, and judges the connection as a remote one.
        forwarded:
          agent.runtimeFamily === "openclaw" ? undefined : { clientIp: req.ip ?? "", publicUrl, prefix },
        contentLength: declaredBodyLength(req),
      });
      await forward(
        req,
        res,
        {
          address: upstream.address,
          port: upstream.port,
          hostHeader: upstream.hostHeader,
          path: map.toUpstream(parsed.data),
          headers,
          map,
        },
        config.api.gatewayProxy,
        (detail, message) => req.log.warn({ agentId: params.agentId, upstream: server, ...detail }, message),
      );
    });

  const gateway = proxy("gateway");
  const dashboard = proxy("dashboard");
  gateway(routes.gatewayGet);
  gateway(routes.gatewayPost);
  gateway(routes.gatewayPut);
  gateway(routes.gatewayPatch);
  gateway(routes.gatewayDelete);
  dashboard(routes.dashboardGet);
  dashboard(routes.dashboardPost);
  dashboard(routes.dashboardPut);
  dashboard(routes.dashboardPatch);
  dashboard(routes.dashboardDelete);
  return router;
}

function declaredBodyLength(req: Request): number | null {
  const length = req.headers["content-length"];
  return length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : null;
}
