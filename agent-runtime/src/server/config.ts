import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { RUNTIME_FAMILIES, type RuntimeFamily } from "../catalog.js";
import { HERMES_PROBES, OPENCLAW_GATEWAY_PROBES } from "../endpoints.js";
import { RUNTIME_LAYOUT, SECRET_FILES } from "../layout.js";
import { gatewayDevicePublicKeySchema } from "../openclaw-device.js";
import { RUNTIME_PORTS } from "../ports.js";

export interface ServerDirs {
  workspace: string;
  state: string;
  bootstrap: string;
  secrets: string;
  logs: string;
}

export interface ServerLimits {
  /** Largest file `POST /files/upload` accepts. */
  uploadMaxBytes: number;
  /** Largest file `GET/PUT /files/content` handles inline (bigger ones use download/upload). */
  contentMaxBytes: number;
  /** Default and ceiling of combined stdout+stderr kept by `POST /exec`. */
  execOutputDefaultBytes: number;
  execOutputMaxBytes: number;
  execTimeoutDefaultMs: number;
  execTimeoutMaxMs: number;
  /** How often a followed log is checked for new lines. */
  logPollMs: number;
  /** The agent log is rotated to agent.log.1 beyond this size. */
  logMaxBytes: number;
  /** A streaming client (log follow, download) that has had no room for this long is dropped. */
  streamStallMs: number;
  /** Concurrent `GET /terminal` sessions; one more is refused with 429. */
  terminalMax: number;
  /** A terminal with no keystroke and no output for this long is closed. */
  terminalIdleMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  family: RuntimeFamily;
  agentId: string;
  dirs: ServerDirs;
  /** Null when no token is configured: then only /health answers. */
  runtimeToken: string | null;
  /** The supervised agent process (argv), or null to run without one. */
  agentCommand: string[] | null;
  /** A second supervised process serving the family's web dashboard (Hermes), or null. */
  dashboardCommand: string[] | null;
  /** Where the agent's version is read from, or null when unknown. */
  agentVersionSource: AgentVersionSource | null;
  /** Probed by /metrics for reachability; null when the family has no gateway to probe. */
  gatewayHealthUrl: string | null;
  /** Probed by /metrics like the gateway; null when there is no separate dashboard. */
  dashboardHealthUrl: string | null;
  /**
   * OpenClaw: the public key of the device Nora connects to the gateway's WebSocket as; the runtime
   * approves the gateway's pairing request for it (POST /gateway/device-pairing). Null without one.
   */
  gatewayDevicePublicKey: string | null;
  restartInitialDelayMs: number;
  restartMaxDelayMs: number;
  limits: ServerLimits;
}

export type AgentVersionSource =
  | { kind: "package-json"; path: string }
  /** A Python distribution's version, from its `<name>-<version>.dist-info` below `<prefix>/lib/python*`. */
  | { kind: "python-dist"; prefix: string; distribution: string };

const OPENCLAW_CLI = join(RUNTIME_LAYOUT.openclawHome, "node_modules/openclaw/openclaw.mjs");
const HERMES_CLI = join(RUNTIME_LAYOUT.hermesHome, "bin/hermes");

function defaultAgentCommand(family: RuntimeFamily): string[] {
  if (family === "openclaw") return [process.execPath, OPENCLAW_CLI, "gateway", "run"];
  // The gateway runs the agent and its API server (API_SERVER_* in the environment).
  return [HERMES_CLI, "gateway", "run"];
}

function defaultDashboardCommand(family: RuntimeFamily): string[] | null {
  if (family === "openclaw") return null;
  // Beyond loopback Hermes requires a login (dashboard.basic_auth plus the password hash and session
  // secret in the environment). --skip-build: the web UI ships built in the package; no npm at run time.
  return [
    HERMES_CLI,
    "dashboard",
    "--host",
    "0.0.0.0",
    "--port",
    String(RUNTIME_PORTS.hermesDashboard),
    "--no-open",
    "--skip-build",
  ];
}

const FAMILY_PROBES: Readonly<Record<RuntimeFamily, { gateway: string; dashboard: string | null }>> = {
  openclaw: {
    gateway: `http://127.0.0.1:${RUNTIME_PORTS.openclawGateway}${OPENCLAW_GATEWAY_PROBES.health}`,
    dashboard: null,
  },
  hermes: {
    gateway: `http://127.0.0.1:${RUNTIME_PORTS.hermesApi}${HERMES_PROBES.apiHealth}`,
    dashboard: `http://127.0.0.1:${RUNTIME_PORTS.hermesDashboard}${HERMES_PROBES.dashboardStatus}`,
  },
};

const intFrom = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  NORA_RUNTIME_HOST: z.string().min(1).default("0.0.0.0"),
  NORA_RUNTIME_PORT: z.coerce.number().int().min(0).max(65535).default(RUNTIME_PORTS.contract),
  NORA_RUNTIME_FAMILY: z.enum(RUNTIME_FAMILIES).default("openclaw"),
  NORA_AGENT_ID: z.string().default(""),
  NORA_WORKSPACE_DIR: z.string().default(RUNTIME_LAYOUT.workspace),
  NORA_STATE_DIR: z.string().default(RUNTIME_LAYOUT.state),
  NORA_BOOTSTRAP_DIR: z.string().default(RUNTIME_LAYOUT.bootstrap),
  NORA_SECRETS_DIR: z.string().default(RUNTIME_LAYOUT.secrets),
  NORA_LOG_DIR: z.string().default(RUNTIME_LAYOUT.logs),
  NORA_RUNTIME_TOKEN_FILE: z.string().optional(),
  /** JSON argv, or "none" to run without an agent process. */
  NORA_AGENT_COMMAND: z.string().optional(),
  /** JSON argv, or "none" to run without a dashboard process. */
  NORA_DASHBOARD_COMMAND: z.string().optional(),
  NORA_AGENT_PACKAGE_JSON: z.string().optional(),
  NORA_GATEWAY_HEALTH_URL: z.string().optional(),
  NORA_DASHBOARD_HEALTH_URL: z.string().optional(),
  NORA_GATEWAY_DEVICE_PUBLIC_KEY: gatewayDevicePublicKeySchema.optional(),
  NORA_RESTART_INITIAL_DELAY_MS: intFrom(1000),
  NORA_RESTART_MAX_DELAY_MS: intFrom(30_000),
  NORA_UPLOAD_MAX_BYTES: intFrom(50 * 1024 * 1024),
  NORA_CONTENT_MAX_BYTES: intFrom(2 * 1024 * 1024),
  NORA_EXEC_OUTPUT_MAX_BYTES: intFrom(8 * 1024 * 1024),
  NORA_EXEC_TIMEOUT_MAX_MS: intFrom(10 * 60_000),
  NORA_LOG_POLL_MS: intFrom(250),
  NORA_LOG_MAX_BYTES: intFrom(10 * 1024 * 1024),
  NORA_STREAM_STALL_MS: intFrom(30_000),
  NORA_TERMINAL_MAX: intFrom(8),
  NORA_TERMINAL_IDLE_MS: intFrom(30 * 60_000),
});

function parseCommand(value: string | undefined, fallback: string[] | null): string[] | null {
  if (value === undefined || value === "") return fallback;
  if (value === "none") return null;
  const argv = z.array(z.string().min(1)).min(1).parse(JSON.parse(value));
  return argv;
}

/** Reads a token file; a missing or empty file means no token. */
function readToken(path: string): string | null {
  try {
    const token = readFileSync(path, "utf8").trim();
    return token === "" ? null : token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The runtime server's configuration: this module is its only reader of the environment. */
export function loadServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const e = envSchema.parse(env);
  const dirs: ServerDirs = {
    workspace: e.NORA_WORKSPACE_DIR,
    state: e.NORA_STATE_DIR,
    bootstrap: e.NORA_BOOTSTRAP_DIR,
    secrets: e.NORA_SECRETS_DIR,
    logs: e.NORA_LOG_DIR,
  };
  const family = e.NORA_RUNTIME_FAMILY;
  const probes = FAMILY_PROBES[family];
  const probeUrl = (value: string | undefined, fallback: string | null) =>
    value === "none" ? null : (value ?? fallback);
  return {
    host: e.NORA_RUNTIME_HOST,
    port: e.NORA_RUNTIME_PORT,
    family,
    agentId: e.NORA_AGENT_ID,
    dirs,
    runtimeToken: readToken(e.NORA_RUNTIME_TOKEN_FILE ?? join(dirs.secrets, SECRET_FILES.runtimeToken)),
    agentCommand: parseCommand(e.NORA_AGENT_COMMAND, defaultAgentCommand(family)),
    dashboardCommand: parseCommand(e.NORA_DASHBOARD_COMMAND, defaultDashboardCommand(family)),
    agentVersionSource:
      e.NORA_AGENT_PACKAGE_JSON !== undefined
        ? { kind: "package-json", path: e.NORA_AGENT_PACKAGE_JSON }
        : family === "openclaw"
          ? {
              kind: "package-json",
              path: join(RUNTIME_LAYOUT.openclawHome, "node_modules/openclaw/package.json"),
            }
          : { kind: "python-dist", prefix: RUNTIME_LAYOUT.hermesHome, distribution: "hermes_agent" },
    gatewayHealthUrl: probeUrl(e.NORA_GATEWAY_HEALTH_URL, probes.gateway),
    dashboardHealthUrl: probeUrl(e.NORA_DASHBOARD_HEALTH_URL, probes.dashboard),
    gatewayDevicePublicKey: family === "openclaw" ? (e.NORA_GATEWAY_DEVICE_PUBLIC_KEY ?? null) : null,
    restartInitialDelayMs: e.NORA_RESTART_INITIAL_DELAY_MS,
    restartMaxDelayMs: e.NORA_RESTART_MAX_DELAY_MS,
    limits: {
      uploadMaxBytes: e.NORA_UPLOAD_MAX_BYTES,
      contentMaxBytes: e.NORA_CONTENT_MAX_BYTES,
      execOutputDefaultBytes: Math.min(1024 * 1024, e.NORA_EXEC_OUTPUT_MAX_BYTES),
      execOutputMaxBytes: e.NORA_EXEC_OUTPUT_MAX_BYTES,
      execTimeoutDefaultMs: Math.min(30_000, e.NORA_EXEC_TIMEOUT_MAX_MS),
      execTimeoutMaxMs: e.NORA_EXEC_TIMEOUT_MAX_MS,
      logPollMs: e.NORA_LOG_POLL_MS,
      logMaxBytes: e.NORA_LOG_MAX_BYTES,
      streamStallMs: e.NORA_STREAM_STALL_MS,
      terminalMax: e.NORA_TERMINAL_MAX,
      terminalIdleMs: e.NORA_TERMINAL_IDLE_MS,
    },
  };
}
