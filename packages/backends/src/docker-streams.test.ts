import { describe, expect, it } from "vitest";
import {
  demuxDockerOutput,
  dockerTime,
  lineSplitter,
  parseDockerEvent,
  runtimeState,
  statsFrom,
} from "./docker-streams.js";
import { checkRelativePath, createTar, TarPathError } from "./tar.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe("demuxDockerOutput", () => {
  it("splits stdout and stderr and keeps their order in combined", () => {
    const out = demuxDockerOutput(Buffer.concat([frame(1, "a\n"), frame(2, "oops\n"), frame(1, "b\n")]));
    expect(out).toEqual({ stdout: "a\nb\n", stderr: "oops\n", combined: "a\noops\nb\n" });
  });

  it("keeps a truncated last frame as far as it goes", () => {
    const whole = frame(1, "abcdef");
    expect(demuxDockerOutput(whole.subarray(0, 11)).stdout).toBe("abc");
  });
});

describe("parseDockerEvent", () => {
  const attributes = { "nora.managed": "true", "nora.agent.id": "a1", exitCode: "137" };
  const line = (action: string, extra: Record<string, string> = attributes) =>
    JSON.stringify({
      Type: "container",
      Action: action,
      Actor: { ID: "x", Attributes: extra },
      timeNano: 1.7e18,
    });

  it("reads die with its exit code, and start, stop, oom, destroy", () => {
    expect(parseDockerEvent(line("die"))).toEqual({
      agentId: "a1",
      type: "die",
      exitCode: 137,
      at: new Date(1.7e12),
    });
    for (const type of ["start", "stop", "oom", "destroy"]) {
      expect(parseDockerEvent(line(type))).toMatchObject({ type, exitCode: null });
    }
  });

  it("ignores other actions, other types, unmanaged containers and garbage", () => {
    expect(parseDockerEvent(line("exec_create: sh"))).toBeNull();
    expect(parseDockerEvent(JSON.stringify({ Type: "network", Action: "connect" }))).toBeNull();
    expect(parseDockerEvent(line("start", { "nora.agent.id": "a1" }))).toBeNull();
    expect(parseDockerEvent("{not json")).toBeNull();
  });

  it("lineSplitter joins chunks cut mid-line", () => {
    const split = lineSplitter();
    expect(split('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(split(":2}\n\n")).toEqual(['{"b":2}']);
  });
});

describe("states, times and stats", () => {
  it("maps Docker's states, an unknown one to dead, and the zero time to null", () => {
    expect(runtimeState("running")).toBe("running");
    expect(runtimeState("weird")).toBe("dead");
    expect(dockerTime("0001-01-01T00:00:00Z")).toBeNull();
    expect(dockerTime("2026-12-01T13:00:00Z")).toBe("2026-12-01T13:00:00Z");
  });

  it("computes what docker stats shows", () => {
    const stats = statsFrom({
      cpu_stats: { cpu_usage: { total_usage: 2_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
      memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200 } },
      pids_stats: { current: 7 },
      networks: { eth0: { rx_bytes: 5, tx_bytes: 6 }, eth1: { rx_bytes: 1, tx_bytes: 1 } },
    });
    expect(stats).toEqual({
      cpuPercent: 20,
      memoryBytes: 800,
      memoryLimitBytes: 4000,
      pids: 7,
      networkRxBytes: 6,
      networkTxBytes: 7,
    });
  });
});

describe("tar", () => {
  it("refuses paths that could leave the target directory", () => {
    for (const bad of ["", "/abs", "a/../b", "./a", "a//b", "a\\b", "a\nb", ".."]) {
      expect(() => checkRelativePath(bad), bad).toThrow(TarPathError);
    }
    expect(() => checkRelativePath("a/b.c")).not.toThrow();
  });

  it("writes valid ustar headers with checksums and long names through the prefix field", () => {
    const long = `${"d".repeat(120)}/${"f".repeat(90)}`;
    const tar = createTar([{ path: long, type: "file", mode: 0o644, uid: 1000, gid: 1000, content: "x" }]);
    expect(tar.length % 512).toBe(0);
    const header = tar.subarray(0, 512);
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(header);
    copy.fill(" ", 148, 156);
    expect(stored).toBe(copy.reduce((sum, b) => sum + b, 0));
    expect(header.subarray(345, 465).toString()).toBe("d".repeat(120));
    expect(header.subarray(0, 90).toString()).toBe("f".repeat(90));
    expect(() => createTar([{ path: "x".repeat(300), type: "file", mode: 0o644, uid: 0, gid: 0 }])).toThrow(
      TarPathError,
    );
  });
});
