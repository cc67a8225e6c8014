"use client";

import { Button, Notice } from "@nora/ui";
import dynamic from "next/dynamic";
import { useCallback, useMemo, useRef, useState } from "react";
import { atLeast } from "../roles";
import { isReachable, NotRunningNotice } from "../streams/not-running";
import { StreamStatus } from "../streams/stream-status";
import { agentStreamUrl } from "../streams/stream-url";
import { useAgentStream } from "../streams/use-agent-stream";
import { useAgentContext } from "./agent-context";
import { describeExit, parseExitFrame, resizeFrame, type TerminalExit } from "./terminal/terminal-frames";
import type { TerminalHandle } from "./terminal/terminal-view";

// xterm is heavy: only this tab loads it, and only in the browser.
const TerminalView = dynamic(() => import("./terminal/terminal-view"), {
  ssr: false,
  loading: () => <p className="nora-loading">Loading the terminal…</p>,
});

const encoder = new TextEncoder();

/** An interactive shell in the agent (editors and above); the session ends with the tab. */
export function TerminalTab() {
  const { agent, role } = useAgentContext();
  const mayOpen = atLeast(role, "editor");
  if (!isReachable(agent.status)) return <NotRunningNotice status={agent.status} what="The terminal" />;
  if (!mayOpen) {
    return (
      <section className="nora-live-tab" aria-labelledby="terminal-heading">
        <h2 id="terminal-heading">Terminal</h2>
        <Notice tone="info" title="The terminal needs the editor role">
          A shell in the agent can change anything in it, so viewers cannot open one. Ask an admin of this
          workspace for the editor role.
        </Notice>
        <Button disabled aria-describedby="terminal-heading">
          Open a shell
        </Button>
      </section>
    );
  }
  return <TerminalSession agentId={agent.id} />;
}

function TerminalSession({ agentId }: { agentId: string }) {
  const terminal = useRef<TerminalHandle | null>(null);
  const [size, setSize] = useState<{ cols: number; rows: number } | null>(null);
  const [exit, setExit] = useState<TerminalExit | null>(null);
  // The first size is the terminal's fitted one; later sizes go as resize frames on the open socket.
  const url = useMemo(
    () => (size ? agentStreamUrl(agentId, "terminal", { cols: size.cols, rows: size.rows }) : null),
    [agentId, size],
  );
  const onMessage = useCallback((data: string | ArrayBuffer) => {
    if (typeof data === "string") {
      const ended = parseExitFrame(data);
      if (ended) setExit(ended);
      return;
    }
    terminal.current?.write(new Uint8Array(data));
  }, []);
  const onOpen = useCallback((ws: WebSocket) => {
    setExit(null);
    const current = terminal.current?.size();
    if (current) ws.send(resizeFrame(current.cols, current.rows));
  }, []);
  // A shell is a session: it is not reopened behind the operator's back, only with the button.
  const { state, reconnect, send } = useAgentStream({ url, onMessage, onOpen, autoReconnect: false });

  return (
    <section className="nora-live-tab" aria-labelledby="terminal-heading">
      <div className="nora-live-toolbar">
        <h2 id="terminal-heading">Terminal</h2>
        <StreamStatus state={state} onReconnect={reconnect} />
        {state.phase === "closed" ? (
          <Button size="sm" onClick={reconnect}>
            New session
          </Button>
        ) : null}
      </div>
      {exit ? (
        <Notice tone={exit.code === 0 ? "info" : "warning"} title={describeExit(exit)} role="status" />
      ) : null}
      <TerminalView
        onReady={(handle) => {
          terminal.current = handle;
          setSize((first) => first ?? handle.size());
        }}
        onInput={(data) => send(encoder.encode(data))}
        onResize={(cols, rows) => send(resizeFrame(cols, rows))}
      />
    </section>
  );
}
