import { type IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Requirement } from "@nora/api-contract";
import { agentParams } from "@nora/api-contract";
import { AppError, type Config, type Logger, serviceUnavailable, unauthorized } from "@nora/core";
import type { Domain } from "@nora/domain";
import express, { type Request, type RequestHandler, type Response } from "express";
import { WebSocketServer } from "ws";
import type { AuthCache } from "../http/auth-cache.js";
import { type AuthContext, authOf, type WorkspaceAccess } from "../http/auth-context.js";
import { authenticate, startAuthCacheSync } from "../http/authenticate.js";
import { createAuthorizer } from "../http/authorize.js";
import { errorHandler, notFoundHandler } from "../http/error-handler.js";
import { requestId } from "../http/request-id.js";
import "../http/request-logging.js";
import { securityHeaders } from "../http/security-headers.js";
import { LiveStream } from "./live-stream.js";
import { requireOwnOriginForCookies } from "./origin.js";
import { refuseCredentialsInQuery } from "./query-guard.js";
import { CLOSE, type StreamDefinition } from "./types.js";

export const STREAM_PATH_PREFIX = "/api/ws/";
const KEEPALIVE_MS = 25_000;
const RECHECK_MS = 30_000;
/** How often the shared auth epoch is read while streams are open (another replica's revocations). */
const EPOCH_POLL_MS = 1_000;
const SHUTDOWN_GRACE_MS = 2_500;
/** What a client may send in one frame unless its stream says otherwise. */
const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export interface StreamDoorDependencies {
  config: Config;
  logger: Logger;
  domain: Domain;
  authCache?: AuthCache;
  streams: StreamDefinition[];
  /** Tests shorten these; production uses 25 s pings and 30 s re-checks. */
  keepaliveMs?: number;
  recheckMs?: number;
}

export interface StreamRoute {
  method: "GET";
  path: string;
  kind: StreamDefinition["kind"];
  requirement: Requirement;
}

export interface StreamDoor {
  /** `server.on("upgrade", door.upgrade)`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Every stream path with what it needs (the route inventory and the matrix read it). */
  routes: readonly StreamRoute[];
  /** Streams open right now. */
  openStreams(): number;
  /** Shutdown: refuses new upgrades, closes every stream with 1001, waits (bounded) until they are gone. */
  close(): Promise<void>;
}

interface Upgrade {
  socket: Duplex;
  head: Buffer;
  agentId?: string;
  query?: unknown;
}

/** Only paths made of plain characters are logged; anything else might be a credential typed into a URL. */
const loggablePath = (path: string) =>
  /^[A-Za-z0-9/_.-]{1,200}$/.test(path) && !path.includes("nora_") ? path : "[not logged]";

/**
 * The one WebSocket door of the API. An upgrade runs through a small Express pipeline made of the
 * API's own middleware (request id, security headers, `authenticate`, `requires`, the error handler),
 * so a refusal is the API's usual JSON error with its request id, written on the socket before it is
 * closed, and the caller is judged exactly as an HTTP route judges it. A stream registers as a
 * `StreamDefinition` (types.ts); see docs/runtime-access.md ("Streams over WebSocket").
 */
export function createStreamDoor(deps: StreamDoorDependencies): StreamDoor {
  const { config, logger, domain, authCache } = deps;
  const keepaliveMs = deps.keepaliveMs ?? KEEPALIVE_MS;
  const recheckMs = deps.recheckMs ?? RECHECK_MS;
  // One server per frame cap a stream asks for (most take the default).
  const servers = new Map<number, WebSocketServer>();
  const wssFor = (maxPayload: number) => {
    let wss = servers.get(maxPayload);
    if (!wss) {
      wss = new WebSocketServer({
        noServer: true,
        clientTracking: false,
        perMessageDeflate: false,
        maxPayload,
      });
      servers.set(maxPayload, wss);
    }
    return wss;
  };
  const pending = new WeakMap<IncomingMessage, Upgrade>();
  const live = new Set<LiveStream>();
  let closing = false;

  const authn = authenticate({
    config,
    authentication: domain.authentication,
    ...(authCache ? { cache: authCache } : {}),
  });
  const syncAuthCache = startAuthCacheSync(authCache);
  const { requires } = createAuthorizer(
    (workspaceId, userId) => domain.workspaces.roleOf(workspaceId, userId),
    (agentId) => domain.agents.workspaceOf(agentId),
  );

  const pipeline = express();
  pipeline.disable("x-powered-by");
  pipeline.set("trust proxy", config.api.trustProxyHops);
  pipeline.set("query parser", "simple");
  pipeline.set("etag", false);
  pipeline.use(requestId());
  pipeline.use(refusalLogging(logger));
  pipeline.use(securityHeaders(config));
  pipeline.use((req, _res, next) => {
    if (closing) return next(serviceUnavailable("shutting_down", "The server is shutting down"));
    if (req.headers.upgrade?.toLowerCase() !== "websocket") {
      return next(new AppError(400, "websocket_required", "Only WebSocket upgrades are served here"));
    }
    next();
  });

  const routes: StreamRoute[] = [];
  for (const stream of deps.streams) {
    const requirement = {
      kind: "agent",
      role: stream.requirement.role,
      scope: stream.requirement.scope,
    } as const;
    const gate = requires(requirement);
    const path = stream.path ?? `${STREAM_PATH_PREFIX}agents/:agentId/${stream.name}`;
    routes.push({ method: "GET", path, kind: stream.kind, requirement });
    pipeline.get(
      path,
      refuseCredentialsInQuery(),
      validateInput(stream),
      requireOwnOriginForCookies(config),
      syncAuthCache,
      authn,
      gate,
      opener(stream, [syncAuthCache, authn, gate]),
    );
  }
  pipeline.use(notFoundHandler());
  pipeline.use(errorHandler());

  function validateInput(stream: StreamDefinition): RequestHandler {
    return (req, _res, next) => {
      const upgrade = pending.get(req);
      if (!upgrade) return next(new Error("upgrade state missing"));
      try {
        upgrade.agentId = agentParams.parse(req.params).agentId;
        upgrade.query = stream.query.parse(req.query);
        next();
      } catch (error) {
        next(error);
      }
    };
  }

  /** Runs the caller's checks again on the upgrade's own request (its cookie or key, its agent). */
  async function reauthorize(
    req: Request,
    res: Response,
    chain: RequestHandler[],
    agentId: string,
  ): Promise<{ auth: AuthContext; access: WorkspaceAccess }> {
    delete req.auth;
    delete req.workspaceAccess;
    req.params = { agentId };
    for (const handler of chain) {
      await new Promise<void>((resolve, reject) => {
        void handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
      });
    }
    if (!req.auth || !req.workspaceAccess) throw unauthorized();
    return { auth: req.auth, access: req.workspaceAccess };
  }

  function opener(stream: StreamDefinition, chain: RequestHandler[]): RequestHandler {
    return (req, res, next) => {
      const upgrade = pending.get(req) as Upgrade;
      const agentId = upgrade.agentId as string;
      const handle = new LiveStream({
        log: req.log,
        stream: stream.name,
        stallMs: config.streams.stallMs,
        keepaliveMs,
        recheckMs,
        reauthorize: () => reauthorize(req, res, chain, agentId),
        onEnded: (ended) => live.delete(ended),
      });
      live.add(handle);
      // Registered before the first await: a client that leaves while the stream opens releases it.
      upgrade.socket.once("close", () => handle.end(CLOSE.goingAway, "client left"));
      open(stream, handle, req, res, upgrade, agentId).catch((error: unknown) => {
        handle.end(CLOSE.internal, "refused");
        next(error);
      });
    };
  }

  async function open(
    stream: StreamDefinition,
    handle: LiveStream,
    req: Request,
    res: Response,
    upgrade: Upgrade,
    agentId: string,
  ): Promise<void> {
    const auth = authOf(req);
    const access = req.workspaceAccess as WorkspaceAccess;
    handle.holdSlot(await domain.streamSlots.acquire(auth.user.id, stream.kind));
    if (handle.ended) return;
    const opened = await stream.open({
      agentId,
      query: upgrade.query,
      requestId: req.id,
      log: req.log,
      auth,
      access,
      signal: handle.signal,
    });
    if (handle.ended) return; // the client left meanwhile: its abort already reached the upstream
    if (closing) throw serviceUnavailable("shutting_down", "The server is shutting down");
    const { socket, head } = upgrade;
    res.detachSocket(socket as Socket);
    if (opened.transport === "raw") {
      handle.attachRaw(socket);
      opened.pipe(req, socket, head);
      return;
    }
    if (opened.stillAllowed) handle.requireStillAllowed(opened.stillAllowed);
    wssFor(stream.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES).handleUpgrade(req, socket, head, (ws) => {
      if (handle.ended) return ws.terminate();
      const channel = handle.attachWebSocket(ws);
      opened.run(channel).then(
        () => handle.end(CLOSE.normal, "stream ended"),
        (error: unknown) => {
          req.log.error({ err: error, stream: stream.name }, "stream failed");
          handle.end(CLOSE.internal, "stream failed");
        },
      );
    });
  }

  const unsubscribe = authCache?.onClear(() => {
    for (const stream of live) stream.recheckSoon();
  });
  // With LISTEN down (the cache then bypassed), another replica's revocation still moves the epoch.
  const epochPoll = setInterval(() => {
    if (live.size > 0) void authCache?.sync();
  }, EPOCH_POLL_MS);
  epochPoll.unref();

  return {
    routes,
    openStreams: () => live.size,
    upgrade(req, socket, head) {
      socket.on("error", () => socket.destroy());
      // Every upgrade runs the pipeline; a path that is not a stream's gets its JSON 404 there.
      pending.set(req, { socket, head });
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once("finish", () => {
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      });
      pipeline(req as Request, res as Response);
    },
    async close() {
      closing = true;
      clearInterval(epochPoll);
      unsubscribe?.();
      const streams = [...live];
      for (const stream of streams) stream.end(CLOSE.goingAway, "server shutting down");
      await Promise.race([
        Promise.all(streams.map((s) => s.closed)),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
      ]);
    },
  };
}

/** One log line per refused upgrade (an accepted one logs its opening and its close instead). */
function refusalLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    req.log = logger.child({ requestId: req.id });
    res.once("finish", () => {
      const line = {
        req: {
          method: req.method,
          path: loggablePath(req.path),
          origin: req.get("origin"),
          userAgent: req.get("user-agent"),
          remoteAddress: req.socket.remoteAddress,
        },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - started,
      };
      if (res.statusCode >= 500) req.log.error(line, "stream upgrade failed");
      else req.log.warn(line, "stream upgrade refused");
    });
    next();
  };
}
