"use client";

import { Notice } from "@nora/ui";
import { useCallback, useMemo, useState } from "react";
import { isReachable, NotRunningNotice } from "../streams/not-running";
import { StreamStatus } from "../streams/stream-status";
import { agentStreamUrl } from "../streams/stream-url";
import { useAgentStream } from "../streams/use-agent-stream";
import { useAgentContext } from "./agent-context";
import { LineChart } from "./metrics/line-chart";
import { formatBytes, type MetricsSample, parseMetricsFrame, pushSample } from "./metrics/metrics-frames";

const INTERVAL_MS = 2000;
const perSecond = (v: number | null) => (v === null ? "—" : `${formatBytes(v)}/s`);

/** CPU, memory and network over the last few minutes, live, with the latest values in words. */
export function MetricsTab() {
  const { agent } = useAgentContext();
  const [samples, setSamples] = useState<MetricsSample[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const reachable = isReachable(agent.status);
  const url = useMemo(
    () =>
      reachable && typeof window !== "undefined"
        ? agentStreamUrl(agent.id, "metrics", { intervalMs: INTERVAL_MS })
        : null,
    [agent.id, reachable],
  );
  const onMessage = useCallback((data: string | ArrayBuffer) => {
    if (typeof data !== "string") return;
    const frame = parseMetricsFrame(data);
    if (!frame) return;
    if (frame.type === "metrics") {
      setProblem(null);
      setSamples((s) => pushSample(s, frame.sample));
    } else if (frame.type === "error") {
      setProblem(`The last reading failed (${frame.error}); the stream goes on.`);
    } else {
      setProblem(`The stream ended: ${frame.reason}.`);
    }
  }, []);
  const { state, reconnect } = useAgentStream({ url, onMessage });
  if (!reachable) return <NotRunningNotice status={agent.status} what="Live metrics" />;

  const latest = samples.at(-1);
  return (
    <section className="nora-live-tab" aria-labelledby="metrics-heading">
      <div className="nora-live-toolbar">
        <h2 id="metrics-heading">Metrics</h2>
        <StreamStatus state={state} onReconnect={reconnect} />
      </div>
      {problem ? <Notice tone="warning" title={problem} role="status" /> : null}
      <dl className="nora-metrics-summary" aria-label="Latest values">
        <div>
          <dt>CPU</dt>
          <dd>{latest?.cpuPercent != null ? `${latest.cpuPercent.toFixed(1)}% of one core` : "—"}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            {formatBytes(latest?.memoryUsedBytes ?? null)}
            {latest?.memoryLimitBytes ? ` of ${formatBytes(latest.memoryLimitBytes)}` : ""}
          </dd>
        </div>
        <div>
          <dt>Network</dt>
          <dd>
            in {perSecond(latest?.rxPerSecond ?? null)}, out {perSecond(latest?.txPerSecond ?? null)}
          </dd>
        </div>
        {Object.entries({ ...latest?.processes }).map(([name, value]) => (
          <div key={`p-${name}`}>
            <dt>Process {name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {Object.entries({ ...latest?.probes }).map(([name, value]) => (
          <div key={`q-${name}`}>
            <dt>Probe {name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {samples.length === 0 ? (
        <p className="nora-live-empty">Waiting for the first reading…</p>
      ) : (
        <div className="nora-chart-grid">
          <LineChart
            title="CPU (% of one core)"
            series={[
              { label: "CPU", values: samples.map((s) => s.cpuPercent), className: "nora-chart-line--a" },
            ]}
            max={Math.max(100, ...samples.map((s) => s.cpuPercent ?? 0))}
            formatMax={(m) => `${m.toFixed(0)}%`}
          />
          <LineChart
            title="Memory"
            series={[
              {
                label: "Used",
                values: samples.map((s) => s.memoryUsedBytes),
                className: "nora-chart-line--a",
              },
            ]}
            max={latest?.memoryLimitBytes ?? undefined}
            formatMax={formatBytes}
          />
          <LineChart
            title="Network"
            series={[
              { label: "In", values: samples.map((s) => s.rxPerSecond), className: "nora-chart-line--a" },
              { label: "Out", values: samples.map((s) => s.txPerSecond), className: "nora-chart-line--b" },
            ]}
            formatMax={(m) => `${formatBytes(m)}/s`}
          />
        </div>
      )}
    </section>
  );
}
