import { readFile, statfs } from "node:fs/promises";
import os from "node:os";

async function readNumber(path: string): Promise<number | null> {
  try {
    const text = (await readFile(path, "utf8")).trim();
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export interface MemoryInfo {
  totalBytes: number;
  freeBytes: number;
  serverRssBytes: number;
  /** The container's cgroup limit and usage, when readable (cgroup v2, then v1). */
  cgroupLimitBytes: number | null;
  cgroupUsageBytes: number | null;
}

export async function memoryInfo(): Promise<MemoryInfo> {
  const v2Limit = await readFile("/sys/fs/cgroup/memory.max", "utf8").catch(() => null);
  let limit: number | null = null;
  let usage: number | null = null;
  if (v2Limit !== null) {
    limit = v2Limit.trim() === "max" ? null : Number(v2Limit.trim());
    usage = await readNumber("/sys/fs/cgroup/memory.current");
  } else {
    limit = await readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    usage = await readNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    // v1 reports "no limit" as a huge number.
    if (limit !== null && limit > 2 ** 60) limit = null;
  }
  return {
    totalBytes: os.totalmem(),
    freeBytes: os.freemem(),
    serverRssBytes: process.memoryUsage.rss(),
    cgroupLimitBytes: limit,
    cgroupUsageBytes: usage,
  };
}

export interface CpuInfo {
  count: number;
  loadAverage: number[];
  /** CPU seconds the container used (cgroup v2), else this server process. */
  usageSeconds: number;
}

export async function cpuInfo(): Promise<CpuInfo> {
  const stat = await readFile("/sys/fs/cgroup/cpu.stat", "utf8").catch(() => null);
  const usec = stat === null ? null : /^usage_usec (\d+)$/m.exec(stat)?.[1];
  const usage = process.cpuUsage();
  return {
    count: os.availableParallelism(),
    loadAverage: os.loadavg(),
    usageSeconds: usec == null ? (usage.user + usage.system) / 1e6 : Number(usec) / 1e6,
  };
}

export interface NetworkInfo {
  /** Bytes and packets through every interface but loopback, since the network namespace began. */
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  interfaces: number;
}

/**
 * The container's traffic, from /proc/net/dev: its network namespace is the agent's, so these are the
 * agent's bytes (the runtime server's own answers to the control plane included). Null where the
 * file cannot be read (networkInfo).
 */
export function parseNetDev(text: string): NetworkInfo {
  const total: NetworkInfo = { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, interfaces: 0 };
  for (const line of text.split("\n").slice(2)) {
    const [name, counters] = line.split(":");
    if (!name || counters === undefined || name.trim() === "lo") continue;
    const fields = counters.trim().split(/\s+/).map(Number);
    if (fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue;
    total.rxBytes += fields[0] as number;
    total.rxPackets += fields[1] as number;
    total.txBytes += fields[8] as number;
    total.txPackets += fields[9] as number;
    total.interfaces += 1;
  }
  return total;
}

export async function networkInfo(): Promise<NetworkInfo | null> {
  const text = await readFile("/proc/net/dev", "utf8").catch(() => null);
  return text === null ? null : parseNetDev(text);
}

export interface DiskInfo {
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
}

export async function diskInfo(path: string): Promise<DiskInfo | null> {
  try {
    const s = await statfs(path);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return { totalBytes: total, freeBytes: free, usedBytes: total - s.bfree * s.bsize };
  } catch {
    return null;
  }
}

export interface Reachability {
  url: string;
  reachable: boolean;
  status: number | null;
  latencyMs: number | null;
}

export async function probe(url: string, timeoutMs = 2000): Promise<Reachability> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return {
      url,
      reachable: response.status < 500,
      status: response.status,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch {
    return { url, reachable: false, status: null, latencyMs: null };
  }
}
