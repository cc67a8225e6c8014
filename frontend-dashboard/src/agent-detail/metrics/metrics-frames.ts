/** A frame of the metrics stream (docs/runtime-access.md), read defensively: missing values are null. */
export interface MetricsSample {
  at: number;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryLimitBytes: number | null;
  rxPerSecond: number | null;
  txPerSecond: number | null;
  processes: Record<string, string>;
  probes: Record<string, string>;
}

export type MetricsFrame =
  | { type: "metrics"; sample: MetricsSample }
  | { type: "error"; error: string }
  | { type: "end"; reason: string };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `processes`/`probes` values as words: a string as is, an object by its state/status/ok field. */
function states(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(rec(v))) {
    if (value === null || value === undefined) continue;
    if (typeof value === "string") out[name] = value;
    else if (typeof value === "boolean") out[name] = value ? "up" : "down";
    else {
      const r = rec(value);
      const word = r.state ?? r.status ?? (typeof r.ok === "boolean" ? (r.ok ? "up" : "down") : undefined);
      out[name] = typeof word === "string" ? word : JSON.stringify(value).slice(0, 60);
    }
  }
  return out;
}

export function parseMetricsFrame(data: string): MetricsFrame | null {
  let frame: Record<string, unknown>;
  try {
    frame = rec(JSON.parse(data));
  } catch {
    return null;
  }
  if (frame.type === "error") return { type: "error", error: String(frame.error ?? "metrics_failed") };
  if (frame.type === "end") return { type: "end", reason: String(frame.reason ?? "ended") };
  if (frame.type !== "metrics") return null;
  const cpu = rec(frame.cpu);
  const memory = rec(frame.memory);
  const network = rec(frame.network);
  const cgroupUsage = num(memory.cgroupUsageBytes);
  const total = num(memory.totalBytes);
  const free = num(memory.freeBytes);
  const at = typeof frame.at === "string" ? Date.parse(frame.at) : Date.now();
  return {
    type: "metrics",
    sample: {
      at: Number.isNaN(at) ? Date.now() : at,
      cpuPercent: num(cpu.usagePercent),
      memoryUsedBytes: cgroupUsage ?? (total !== null && free !== null ? total - free : null),
      memoryLimitBytes: num(memory.cgroupLimitBytes) ?? total,
      rxPerSecond: num(network.rxBytesPerSecond),
      txPerSecond: num(network.txBytesPerSecond),
      processes: states(frame.processes),
      probes: states(frame.probes),
    },
  };
}

export const MAX_SAMPLES = 120;

export function pushSample(samples: readonly MetricsSample[], sample: MetricsSample): MetricsSample[] {
  const next = [...samples, sample];
  return next.length > MAX_SAMPLES ? next.slice(next.length - MAX_SAMPLES) : next;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
