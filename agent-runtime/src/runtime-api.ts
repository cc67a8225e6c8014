import { z } from "zod";
import { envNameSchema, envValueSchema } from "./bootstrap/schema.js";
import { RUNTIME_FAMILIES } from "./catalog.js";
import { argumentText, contentText, pathText, queryInt } from "./request-text.js";

/**
 * Request and response shapes of the runtime server's routes (RUNTIME_ROUTES). The server validates
 * requests with these schemas and the runtime client (src/client/) sends and checks the same ones.
 */

// ── Requests ────────────────────────────────────────────────────────────────

/** `?root=&path=` for a directory listing (path "" is the root itself). */
export const fileLocationQuerySchema = z.object({ root: pathText().min(1), path: pathText().default("") });
/** `?root=&path=` naming one entry. */
export const fileTargetQuerySchema = z.object({ root: pathText().min(1), path: pathText().min(1) });

export const putContentBodySchema = z.object({
  root: pathText().min(1),
  path: pathText().min(1),
  content: contentText(64 * 1024 * 1024),
  encoding: z.enum(["utf8", "base64"]).default("utf8"),
});

export const mkdirBodySchema = z.object({ root: pathText().min(1), path: pathText().min(1) });

export const moveBodySchema = z.object({
  root: pathText().min(1),
  from: pathText().min(1),
  to: pathText().min(1),
});

export const logsQuerySchema = z.object({
  tail: queryInt({ min: 0, max: 10_000 }).default(200),
  follow: z.enum(["0", "1", "true", "false"]).default("0"),
  /** Whose log: the agent process, or the dashboard process of a family that has one (Hermes). */
  process: z.enum(["agent", "dashboard"]).default("agent"),
});

export interface ExecLimits {
  timeoutDefaultMs: number;
  timeoutMaxMs: number;
  outputDefaultBytes: number;
  outputMaxBytes: number;
}

/** The exec body; the bounds are the server's own (a client learns them from a 400). */
export function execBodySchema(limits: ExecLimits) {
  return z
    .object({
      argv: z
        .array(argumentText(128 * 1024))
        .min(1)
        .max(1000),
      cwd: pathText().default(""),
      timeoutMs: z.number().int().positive().max(limits.timeoutMaxMs).default(limits.timeoutDefaultMs),
      maxOutputBytes: z
        .number()
        .int()
        .positive()
        .max(limits.outputMaxBytes)
        .default(limits.outputDefaultBytes),
      env: z.record(envNameSchema, envValueSchema).default({}),
      stdin: argumentText(1024 * 1024).optional(),
    })
    .strict();
}

export type ExecRequest = z.input<ReturnType<typeof execBodySchema>>;

/**
 * `POST /gateway/device-pairing`: approve the OpenClaw gateway's pending pairing request of Nora's
 * device (the id the gateway answered Nora's connect with). Nothing else is accepted.
 */
export const gatewayDevicePairingBodySchema = z
  .object({ requestId: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, "expected a pairing request id") })
  .strict();

// ── Terminal (`GET /terminal`, a WebSocket) ─────────────────────────────────

/** Bounds of a terminal's size, in character cells. */
export const TERMINAL_SIZE = { minCols: 1, maxCols: 1000, minRows: 1, maxRows: 1000 } as const;
export const TERMINAL_DEFAULT_SIZE = { cols: 80, rows: 24 } as const;

/** `?cols=&rows=`: the initial size. Nothing else is accepted (no shell, never a token). */
export const terminalQuerySchema = z
  .object({
    cols: queryInt({ min: TERMINAL_SIZE.minCols, max: TERMINAL_SIZE.maxCols }).default(
      TERMINAL_DEFAULT_SIZE.cols,
    ),
    rows: queryInt({ min: TERMINAL_SIZE.minRows, max: TERMINAL_SIZE.maxRows }).default(
      TERMINAL_DEFAULT_SIZE.rows,
    ),
  })
  .strict();

/** A text frame from the client: the only control message is a resize. Binary frames are keystrokes. */
export const terminalClientMessageSchema = z
  .object({
    type: z.literal("resize"),
    cols: z.number().int().min(TERMINAL_SIZE.minCols).max(TERMINAL_SIZE.maxCols),
    rows: z.number().int().min(TERMINAL_SIZE.minRows).max(TERMINAL_SIZE.maxRows),
  })
  .strict();

export type TerminalClientMessage = z.infer<typeof terminalClientMessageSchema>;

/** The server's one text frame, sent when the shell has exited, right before it closes the socket. */
export const terminalExitMessageSchema = z
  .object({
    type: z.literal("exit"),
    /** The exit status, or null when a signal ended the shell. */
    code: z.number().int().nullable(),
    /** The signal's name (`SIGKILL`), or null. */
    signal: z.string().nullable(),
  })
  .strict();

export type TerminalExit = z.infer<typeof terminalExitMessageSchema>;

/** WebSocket close codes of a terminal, beyond the standard ones (1000 after the exit message). */
export const TERMINAL_CLOSE_CODES = {
  exited: 1000,
  serverStopping: 1001,
  invalidMessage: 1008,
  spawnFailed: 1011,
  idle: 4000,
} as const;

// ── Responses ───────────────────────────────────────────────────────────────

/** Every error the runtime server answers: the API's shape. */
export const runtimeErrorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  requestId: z.string(),
});

export const healthResponseSchema = z.object({ status: z.literal("ok") });

const cpuSchema = z.object({
  count: z.number(),
  loadAverage: z.array(z.number()),
  usageSeconds: z.number(),
});

const memorySchema = z.object({
  totalBytes: z.number(),
  freeBytes: z.number(),
  serverRssBytes: z.number(),
  cgroupLimitBytes: z.number().nullable(),
  cgroupUsageBytes: z.number().nullable(),
});

const diskSchema = z.object({ totalBytes: z.number(), freeBytes: z.number(), usedBytes: z.number() });

export const infoResponseSchema = z.object({
  family: z.enum(RUNTIME_FAMILIES),
  agentId: z.string(),
  versions: z.object({ runtimeServer: z.string(), node: z.string(), agent: z.string().nullable() }),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  cpu: cpuSchema,
  memory: memorySchema,
  disk: z.object({ workspace: diskSchema.nullable() }),
});

const processStatusSchema = z.object({
  state: z.enum(["disabled", "starting", "running", "backoff", "stopped"]),
  pid: z.number().nullable(),
  restarts: z.number(),
  startedAt: z.string().nullable(),
  lastExit: z
    .object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.string() })
    .nullable(),
});

const probeSchema = z.object({
  url: z.string(),
  reachable: z.boolean(),
  status: z.number().nullable(),
  latencyMs: z.number().nullable(),
});

const networkSchema = z.object({
  rxBytes: z.number(),
  txBytes: z.number(),
  rxPackets: z.number(),
  txPackets: z.number(),
  interfaces: z.number(),
});

export const metricsResponseSchema = z.object({
  cpu: cpuSchema,
  memory: memorySchema,
  /** The container's traffic beyond loopback; null where unknown. Absent from older servers. */
  network: networkSchema.nullable().default(null),
  agent: processStatusSchema,
  /** The dashboard process, for a family that runs one (Hermes); null otherwise. Absent from older servers. */
  dashboardProcess: processStatusSchema.nullable().default(null),
  gateway: probeSchema.nullable(),
  /** The dashboard's probe, like the gateway's; null when there is no separate dashboard. */
  dashboard: probeSchema.nullable().default(null),
});

export const providersSyncResponseSchema = z.object({
  applied: z.literal(true),
  restarted: z.boolean(),
  providers: z.array(z.string()),
});

export const fileRootsResponseSchema = z.object({
  roots: z.array(z.object({ name: z.string(), writable: z.boolean() })),
});

export const fileTreeResponseSchema = z.object({
  root: z.string(),
  path: z.string(),
  entries: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      type: z.enum(["file", "directory", "symlink", "other"]),
      size: z.number(),
      modifiedAt: z.string().nullable(),
    }),
  ),
  truncated: z.boolean(),
});

export const fileContentResponseSchema = z.object({
  root: z.string(),
  path: z.string(),
  size: z.number(),
  modifiedAt: z.string(),
  encoding: z.enum(["utf8", "base64"]),
  content: z.string(),
});

export const fileWrittenResponseSchema = z.object({ root: z.string(), path: z.string(), size: z.number() });
export const mkdirResponseSchema = z.object({ root: z.string(), path: z.string() });
export const moveResponseSchema = z.object({ root: z.string(), from: z.string(), to: z.string() });
export const deleteResponseSchema = z.object({
  root: z.string(),
  path: z.string(),
  deleted: z.literal(true),
});

export const execResponseSchema = z.object({
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
});

export const gatewayDevicePairingResponseSchema = z.object({
  approved: z.literal(true),
  deviceId: z.string(),
  scopes: z.array(z.string()),
});
