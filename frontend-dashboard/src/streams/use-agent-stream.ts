"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { backoffDelay, type CloseMeaning, describeClose } from "./close-codes";

export type StreamState =
  | { phase: "connecting"; attempt: number }
  | { phase: "open" }
  | { phase: "waiting"; attempt: number; retryAt: number; close: CloseMeaning }
  | { phase: "closed"; close: CloseMeaning };

export interface AgentStreamOptions {
  /** The stream's address (null: do not connect, e.g. the agent is not running). */
  url: string | null;
  onMessage(data: string | ArrayBuffer): void;
  onOpen?(socket: WebSocket): void;
  /** Reconnect with backoff after a close that may be temporary (default true). */
  autoReconnect?: boolean;
}

/**
 * One WebSocket kept open while the component lives: reconnects with backoff when the close means it
 * can help, and says at every moment what it is doing (connecting, open, waiting N s, closed and why).
 */
export function useAgentStream({ url, onMessage, onOpen, autoReconnect = true }: AgentStreamOptions) {
  const [state, setState] = useState<StreamState>({ phase: "connecting", attempt: 0 });
  const [generation, setGeneration] = useState(0);
  const socket = useRef<WebSocket | null>(null);
  const handlers = useRef({ onMessage, onOpen });
  handlers.current = { onMessage, onOpen };

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation restarts the connection on demand
  useEffect(() => {
    if (!url) return;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      setState({ phase: "connecting", attempt });
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      socket.current = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        attempt = 0;
        setState({ phase: "open" });
        handlers.current.onOpen?.(ws);
      };
      ws.onmessage = (event) => handlers.current.onMessage(event.data as string | ArrayBuffer);
      ws.onclose = (event) => {
        if (socket.current === ws) socket.current = null;
        if (stopped) return;
        const close = describeClose(event.code, event.reason, opened);
        if (close.retry && autoReconnect) {
          const delay = backoffDelay(attempt);
          attempt += 1;
          setState({ phase: "waiting", attempt, retryAt: Date.now() + delay, close });
          timer = setTimeout(connect, delay);
        } else {
          setState({ phase: "closed", close });
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket.current?.close(1000, "left");
      socket.current = null;
    };
  }, [url, autoReconnect, generation]);

  const reconnect = useCallback(() => setGeneration((g) => g + 1), []);
  const send = useCallback((data: string | ArrayBufferLike | Uint8Array) => {
    const ws = socket.current;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(data as string);
  }, []);
  return { state, reconnect, send };
}
