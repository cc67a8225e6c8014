"use client";

import { Button } from "@nora/ui";
import { useEffect, useState } from "react";
import type { StreamState } from "./use-agent-stream";

/** A stream's state in words, announced politely, with a way to try again now. */
export function StreamStatus({ state, onReconnect }: { state: StreamState; onReconnect(): void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state.phase !== "waiting") return;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [state.phase]);
  let text: string;
  let tone: string;
  switch (state.phase) {
    case "connecting":
      text = state.attempt === 0 ? "Connecting…" : `Reconnecting (attempt ${state.attempt + 1})…`;
      tone = "pending";
      break;
    case "open":
      text = "Live";
      tone = "live";
      break;
    case "waiting":
      text = `${state.close.message} Retrying in ${Math.max(0, Math.ceil((state.retryAt - now) / 1000))} s.`;
      tone = "pending";
      break;
    case "closed":
      text = state.close.message;
      tone = "closed";
  }
  return (
    <div className="nora-stream-status">
      <span className={`nora-stream-dot nora-stream-dot--${tone}`} aria-hidden="true" />
      <span role="status">{text}</span>
      {state.phase === "waiting" || state.phase === "closed" ? (
        <Button size="sm" variant="secondary" onClick={onReconnect}>
          Reconnect now
        </Button>
      ) : null}
    </div>
  );
}
