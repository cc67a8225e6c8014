"use client";

import { Button } from "@nora/ui";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isReachable, NotRunningNotice } from "../streams/not-running";
import { StreamStatus } from "../streams/stream-status";
import { agentStreamUrl } from "../streams/stream-url";
import { useAgentStream } from "../streams/use-agent-stream";
import { useAgentContext } from "./agent-context";
import {
  appendLines,
  clearLines,
  emptyLogBuffer,
  filterLines,
  type LogBuffer,
  parseLogFrame,
  setPaused,
} from "./logs/log-buffer";
import { LogLines } from "./logs/log-lines";

// Families whose runtime runs a second process with its own log (the catalog's `dashboard` feature).
const FAMILIES_WITH_DASHBOARD = new Set(["hermes"]);
const TAIL = 500;

/** The agent's log: the last lines, then live ones; pause, search, download, process choice. */
export function LogsTab() {
  const { agent } = useAgentContext();
  const [process, setProcess] = useState<"agent" | "dashboard">("agent");
  const [buffer, setBuffer] = useState<LogBuffer>(() => emptyLogBuffer());
  const [query, setQuery] = useState("");
  const [streamError, setStreamError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const view = useRef<HTMLDivElement>(null);
  const reachable = isReachable(agent.status);
  const url = useMemo(
    () =>
      reachable && typeof window !== "undefined"
        ? agentStreamUrl(agent.id, "logs", { tail: TAIL, process })
        : null,
    [agent.id, process, reachable],
  );
  const onMessage = useCallback((data: string | ArrayBuffer) => {
    if (typeof data !== "string") return;
    const frame = parseLogFrame(data);
    if (frame?.type === "lines") setBuffer((b) => appendLines(b, frame.lines));
    if (frame?.type === "error") setStreamError(frame.error);
  }, []);
  // Each (re)connection replays the tail: start from an empty view so lines are not doubled.
  const onOpen = useCallback(() => {
    setStreamError(null);
    setBuffer((b) => clearLines(b));
  }, []);
  const { state, reconnect } = useAgentStream({ url, onMessage, onOpen });

  const visible = useMemo(() => filterLines(buffer.lines, query), [buffer.lines, query]);
  useEffect(() => {
    if (follow && !buffer.paused && view.current && visible.length > 0) {
      view.current.scrollTop = view.current.scrollHeight;
    }
  }, [visible, follow, buffer.paused]);

  if (!reachable) return <NotRunningNotice status={agent.status} what="Following the log" />;

  const download = () => {
    const blob = new Blob([`${visible.map((l) => l.text).join("\n")}\n`], { type: "text/plain" });
    const href = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = href;
    a.download = `${agent.name}-${process}.log`;
    a.click();
    URL.revokeObjectURL(href);
  };

  return (
    <section className="nora-live-tab" aria-labelledby="logs-heading">
      <div className="nora-live-toolbar">
        <h2 id="logs-heading">Logs</h2>
        <StreamStatus state={state} onReconnect={reconnect} />
      </div>
      <div className="nora-live-toolbar">
        {FAMILIES_WITH_DASHBOARD.has(agent.family) ? (
          <label className="nora-inline-field">
            Process
            <select
              value={process}
              onChange={(e) => setProcess(e.currentTarget.value as "agent" | "dashboard")}
            >
              <option value="agent">Agent</option>
              <option value="dashboard">Dashboard</option>
            </select>
          </label>
        ) : null}
        <label className="nora-inline-field">
          Search
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
            placeholder="Filter lines"
          />
        </label>
        <Button
          variant="secondary"
          size="sm"
          onClick={() => setBuffer((b) => setPaused(b, !b.paused))}
          aria-pressed={buffer.paused}
        >
          {buffer.paused ? `Resume (${buffer.pending.length} waiting)` : "Pause"}
        </Button>
        <label className="nora-inline-field">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />
          Follow
        </label>
        <Button variant="secondary" size="sm" onClick={() => setBuffer((b) => clearLines(b))}>
          Clear
        </Button>
        <Button variant="secondary" size="sm" onClick={download} disabled={visible.length === 0}>
          Download .log
        </Button>
      </div>
      <p className="nora-live-meta">
        {visible.length} of {buffer.lines.length} lines shown (the newest {buffer.cap} are kept)
        {buffer.dropped > 0 ? `; ${buffer.dropped} older lines dropped` : ""}
        {streamError ? `; stream error: ${streamError}` : ""}
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it */}
      <div ref={view} className="nora-log-view" role="log" aria-label="Log lines" tabIndex={0}>
        {visible.length === 0 ? (
          <p className="nora-live-empty">
            {state.phase === "open"
              ? query
                ? "No line matches."
                : "No lines yet."
              : "Waiting for the stream…"}
          </p>
        ) : (
          <LogLines lines={visible} query={query} />
        )}
      </div>
    </section>
  );
}
