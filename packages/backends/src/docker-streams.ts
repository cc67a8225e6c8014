import { DOCKER_LABELS } from "./docker-spec.js";
import type { RuntimeEvent, RuntimeState, RuntimeStats } from "./types.js";

/**
 * Pure readers of what the engine sends back: the multiplexed output of a container without a TTY,
 * the event stream, container states and stats.
 */

export interface DemuxedOutput {
  stdout: string;
  stderr: string;
  /** Both streams in the order the container wrote them. */
  combined: string;
}

/**
 * Splits Docker's multiplexed stream (8-byte frame headers: stream id, 3 zero bytes, big-endian
 * length). A trailing partial frame is kept as far as it goes.
 */
export function demuxDockerOutput(buffer: Buffer): DemuxedOutput {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const frame = buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + length));
    (stream === 2 ? err : out).push(frame);
    all.push(frame);
    offset += 8 + length;
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    combined: Buffer.concat(all).toString("utf8"),
  };
}

const EVENT_TYPES = new Set<RuntimeEvent["type"]>(["start", "die", "oom", "stop", "destroy"]);

interface DockerEventJson {
  Type?: string;
  Action?: string;
  status?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** One line of `GET /events`, or null when it is not a lifecycle event of a managed runtime. */
export function parseDockerEvent(line: string): RuntimeEvent | null {
  let event: DockerEventJson;
  try {
    event = JSON.parse(line) as DockerEventJson;
  } catch {
    return null;
  }
  if (event.Type !== "container") return null;
  const action = event.Action ?? event.status ?? "";
  if (!EVENT_TYPES.has(action as RuntimeEvent["type"])) return null;
  const attributes = event.Actor?.Attributes ?? {};
  const agentId = attributes[DOCKER_LABELS.agentId];
  if (attributes[DOCKER_LABELS.managed] !== "true" || agentId === undefined) return null;
  const exit = attributes.exitCode;
  const at =
    typeof event.timeNano === "number"
      ? new Date(Math.floor(event.timeNano / 1e6))
      : new Date((event.time ?? 0) * 1000);
  return {
    agentId,
    type: action as RuntimeEvent["type"],
    exitCode: action === "die" && exit !== undefined && /^-?\d+$/.test(exit) ? Number(exit) : null,
    at,
  };
}

/** Splits a chunked newline-delimited stream into whole lines. */
export function lineSplitter(): (chunk: Buffer | string) => string[] {
  let rest = "";
  return (chunk) => {
    rest += chunk.toString();
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    return lines.filter((line) => line.trim() !== "");
  };
}

const STATES = new Set<RuntimeState>([
  "created",
  "running",
  "restarting",
  "paused",
  "exited",
  "dead",
  "removing",
]);

export function runtimeState(status: string | undefined): RuntimeState {
  return STATES.has(status as RuntimeState) ? (status as RuntimeState) : "dead";
}

/** Docker's zero time means "never". */
export function dockerTime(value: string | undefined): string | null {
  if (value === undefined || value === "" || value.startsWith("0001-01-01")) return null;
  return value;
}

export interface DockerStatsJson {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: { cache?: number; inactive_file?: number; total_inactive_file?: number };
  };
  pids_stats?: { current?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** The numbers `docker stats` shows, from one `GET /containers/{id}/stats?stream=false`. */
export function statsFrom(json: DockerStatsJson): RuntimeStats {
  const cpuDelta =
    (json.cpu_stats?.cpu_usage?.total_usage ?? 0) - (json.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (json.cpu_stats?.system_cpu_usage ?? 0) - (json.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = json.cpu_stats?.online_cpus ?? 1;
  const memory = json.memory_stats ?? {};
  // Page cache the kernel can drop is not the container's memory (what docker stats subtracts).
  const reclaimable =
    memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? memory.stats?.cache ?? 0;
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(json.networks ?? {})) {
    rx += net.rx_bytes ?? 0;
    tx += net.tx_bytes ?? 0;
  }
  return {
    cpuPercent: cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
    memoryBytes: Math.max(0, (memory.usage ?? 0) - reclaimable),
    memoryLimitBytes: memory.limit ?? 0,
    pids: json.pids_stats?.current ?? 0,
    networkRxBytes: rx,
    networkTxBytes: tx,
  };
}
