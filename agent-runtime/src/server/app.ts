import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HERMES_DASHBOARD_ONLY_ENV_PREFIX, hermesModelIssues } from "../bootstrap/hermes.js";
import { providerSyncSchema } from "../bootstrap/schema.js";
import { RUNTIME_ROUTES } from "../endpoints.js";
import { RUNTIME_LAYOUT } from "../layout.js";
import { gatewayDevicePairingBodySchema } from "../runtime-api.js";
import { AgentFiles } from "./agent-files.js";
import { packageJsonVersion, readAgentVersion } from "./agent-version.js";
import { requireToken } from "./auth.js";
import type { ServerConfig } from "./config.js";
import { execCommand } from "./exec.js";
import * as files from "./files.js";
import { fsError } from "./fs-errors.js";
import { GatewayPairing } from "./gateway-pairing.js";
import { HttpError, readJson, requestIdOf, sendError, sendJson } from "./http.js";
import { streamLogs } from "./logs.js";
import { FileRoots } from "./roots.js";
import { AgentSupervisor } from "./supervisor.js";
import { cpuInfo, diskInfo, memoryInfo, networkInfo, probe } from "./system.js";
import { TerminalServer } from "./terminal.js";

export const AGENT_LOG_FILE = "agent.log";
export const DASHBOARD_LOG_FILE = "dashboard.log";

export interface RuntimeServer {
  server: Server;
  supervisor: AgentSupervisor;
  /** The dashboard process (Hermes); a disabled supervisor for families without one. */
  dashboard: AgentSupervisor;
  agentFiles: AgentFiles;
  terminals: TerminalServer;
  /** Stops the agent and closes every connection. */
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

const SERVER_VERSION =
  packageJsonVersion(fileURLToPath(new URL("../../package.json", import.meta.url))) ?? "unknown";

/** The gateway runs the agent's tools: it does not get the dashboard's login secrets. */
function withoutDashboardSecrets(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith(HERMES_DASHBOARD_ONLY_ENV_PREFIX)),
  );
}

/**
 * Builds the runtime server (not listening). Every route but /health needs the bearer token; with
 * no token configured, every other route answers 401.
 */
export function createRuntimeServer(config: ServerConfig, baseEnv: Record<string, string>): RuntimeServer {
  const startedAt = Date.now();
  const agentFiles = new AgentFiles(config.family, config.dirs);
  const roots = new FileRoots([
    { name: "workspace", dir: config.dirs.workspace, writable: true },
    { name: "config", dir: agentFiles.configDir, writable: false },
    { name: "logs", dir: config.dirs.logs, writable: false },
  ]);
  const supervised = (command: string[] | null, file: string, gateway: boolean) =>
    new AgentSupervisor({
      command,
      cwd: config.dirs.workspace,
      env: async () => {
        const env = { ...baseEnv, ...(await agentFiles.secretEnv()) };
        return gateway ? withoutDashboardSecrets(env) : env;
      },
      logFile: join(config.dirs.logs, file),
      initialDelayMs: config.restartInitialDelayMs,
      maxDelayMs: config.restartMaxDelayMs,
      logMaxBytes: config.limits.logMaxBytes,
    });
  const supervisor = supervised(config.agentCommand, AGENT_LOG_FILE, true);
  const dashboard = supervised(config.dashboardCommand, DASHBOARD_LOG_FILE, false);
  const agentVersion = readAgentVersion(config.agentVersionSource);
  const filesCtx = {
    roots,
    contentMaxBytes: config.limits.contentMaxBytes,
    uploadMaxBytes: config.limits.uploadMaxBytes,
    stallMs: config.limits.streamStallMs,
  };
  const execCtx = {
    roots,
    rootName: "workspace",
    baseEnv,
    outputDefaultBytes: config.limits.execOutputDefaultBytes,
    outputMaxBytes: config.limits.execOutputMaxBytes,
    timeoutDefaultMs: config.limits.execTimeoutDefaultMs,
    timeoutMaxMs: config.limits.execTimeoutMaxMs,
  };

  const terminals = new TerminalServer({
    cwd: config.dirs.workspace,
    baseEnv,
    runtimeToken: config.runtimeToken,
    maxSessions: config.limits.terminalMax,
    idleMs: config.limits.terminalIdleMs,
    stallMs: config.limits.streamStallMs,
  });

  const pairing =
    config.gatewayDevicePublicKey === null
      ? null
      : new GatewayPairing({
          publicKey: config.gatewayDevicePublicKey,
          openclawHome: RUNTIME_LAYOUT.openclawHome,
          env: baseEnv,
        });

  const routes = new Map<string, Handler>([
    [`GET ${RUNTIME_ROUTES.health}`, (_req, res) => sendJson(res, 200, { status: "ok" })],
    [
      `GET ${RUNTIME_ROUTES.info}`,
      async (_req, res) =>
        sendJson(res, 200, {
          family: config.family,
          agentId: config.agentId,
          versions: { runtimeServer: SERVER_VERSION, node: process.versions.node, agent: agentVersion },
          startedAt: new Date(startedAt).toISOString(),
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          cpu: await cpuInfo(),
          memory: await memoryInfo(),
          disk: { workspace: await diskInfo(config.dirs.workspace) },
        }),
    ],
    [
      `GET ${RUNTIME_ROUTES.logs}`,
      (_req, res, url) =>
        streamLogs(
          {
            logFiles: {
              agent: join(config.dirs.logs, AGENT_LOG_FILE),
              dashboard: config.dashboardCommand === null ? null : join(config.dirs.logs, DASHBOARD_LOG_FILE),
            },
            pollMs: config.limits.logPollMs,
            stallMs: config.limits.streamStallMs,
          },
          url,
          res,
        ),
    ],
    [`POST ${RUNTIME_ROUTES.exec}`, (req, res) => execCommand(execCtx, req, res)],
    [
      `GET ${RUNTIME_ROUTES.terminal}`,
      () => {
        throw new HttpError(426, "upgrade_required", "GET /terminal is a websocket upgrade");
      },
    ],
    [`GET ${RUNTIME_ROUTES.filesRoots}`, (_req, res) => files.listRoots(filesCtx, res)],
    [`GET ${RUNTIME_ROUTES.filesTree}`, (_req, res, url) => files.tree(filesCtx, url, res)],
    [`GET ${RUNTIME_ROUTES.filesContent}`, (_req, res, url) => files.getContent(filesCtx, url, res)],
    [`GET ${RUNTIME_ROUTES.filesDownload}`, (_req, res, url) => files.download(filesCtx, url, res)],
    [`PUT ${RUNTIME_ROUTES.filesContent}`, (req, res) => files.putContent(filesCtx, req, res)],
    [`POST ${RUNTIME_ROUTES.filesUpload}`, (req, res, url) => files.upload(filesCtx, req, url, res)],
    [`POST ${RUNTIME_ROUTES.filesMkdir}`, (req, res) => files.makeDirectory(filesCtx, req, res)],
    [`POST ${RUNTIME_ROUTES.filesMove}`, (req, res) => files.move(filesCtx, req, res)],
    [`DELETE ${RUNTIME_ROUTES.files}`, (_req, res, url) => files.remove(filesCtx, url, res)],
    [
      `POST ${RUNTIME_ROUTES.providersSync}`,
      async (req, res) => {
        const sync = await readJson(req, providerSyncSchema, 1024 * 1024);
        const issues = config.family === "hermes" ? hermesModelIssues(sync.providers, sync.defaultModel) : [];
        if (issues.length > 0) throw new HttpError(400, "invalid_request", issues.join("; "));
        await agentFiles.sync(sync);
        const restarting = config.agentCommand !== null || config.dashboardCommand !== null;
        // Both Hermes processes read config.yaml and the keys: both restart.
        await Promise.all([supervisor.restart(), dashboard.restart()]);
        sendJson(res, 200, {
          applied: true,
          restarted: restarting,
          providers: sync.providers.map((p) => p.id),
        });
      },
    ],
    [
      `POST ${RUNTIME_ROUTES.gatewayDevicePairing}`,
      async (req, res) => {
        const { requestId } = await readJson(req, gatewayDevicePairingBodySchema, 4096);
        if (pairing === null) {
          throw new HttpError(409, "no_gateway_device", "this runtime has no gateway device to pair");
        }
        const outcome = await pairing.approve(requestId).catch((error: unknown) => {
          process.stderr.write(
            `${JSON.stringify({ level: "error", msg: "gateway pairing failed", error: String(error) })}\n`,
          );
          throw new HttpError(502, "gateway_pairing_failed", "the gateway's pairing store could not be used");
        });
        if (outcome.status === "not_found") {
          throw new HttpError(404, "pairing_request_not_found", "the gateway has no such pending request");
        }
        if (outcome.status === "refused") {
          throw new HttpError(403, "pairing_request_refused", outcome.reason);
        }
        sendJson(res, 200, { approved: true, deviceId: outcome.deviceId, scopes: outcome.scopes });
      },
    ],
    [
      `GET ${RUNTIME_ROUTES.metrics}`,
      async (_req, res) =>
        sendJson(res, 200, {
          cpu: await cpuInfo(),
          memory: await memoryInfo(),
          network: await networkInfo(),
          agent: supervisor.status(),
          dashboardProcess: config.dashboardCommand === null ? null : dashboard.status(),
          gateway: config.gatewayHealthUrl === null ? null : await probe(config.gatewayHealthUrl),
          dashboard: config.dashboardHealthUrl === null ? null : await probe(config.dashboardHealthUrl),
        }),
    ],
  ]);
  const knownPaths = new Set([...routes.keys()].map((key) => key.slice(key.indexOf(" ") + 1)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://runtime");
    if (url.pathname !== RUNTIME_ROUTES.health) requireToken(req.headers.authorization, config.runtimeToken);
    const handler = routes.get(`${req.method ?? "GET"} ${url.pathname}`);
    if (handler === undefined) {
      if (knownPaths.has(url.pathname)) throw new HttpError(405, "method_not_allowed", "method not allowed");
      throw new HttpError(404, "not_found", "no such route");
    }
    await handler(req, res, url);
  };

  const server = createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    handle(req, res).catch((caught: unknown) => {
      const error = fsError(caught);
      const method = req.method;
      const path = new URL(req.url ?? "/", "http://runtime").pathname;
      if (error instanceof HttpError) {
        // An unread request body would otherwise keep the connection busy.
        if (!req.complete) res.setHeader("connection", "close");
        process.stdout.write(
          `${JSON.stringify({ level: "info", msg: "request refused", requestId, method, path, status: error.status, code: error.code })}\n`,
        );
        sendError(res, error, requestId);
        return;
      }
      process.stderr.write(
        `${JSON.stringify({ level: "error", msg: "request failed", requestId, method, path, error: String(error) })}\n`,
      );
      sendError(res, new HttpError(500, "internal_error", "internal error"), requestId);
    });
  });
  server.on("upgrade", (req, socket, head) => terminals.handleUpgrade(req, socket, head));
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // log follow and long exec hold requests open

  return {
    server,
    supervisor,
    dashboard,
    agentFiles,
    terminals,
    async close() {
      await Promise.all([supervisor.stop(), dashboard.stop(), terminals.close()]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
