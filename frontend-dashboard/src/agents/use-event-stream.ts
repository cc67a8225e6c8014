"use client";

import { useEffect, useRef, useState } from "react";
import { parseStreamedEvent, type StreamedEvent } from "./status-events";

export type StreamState = "connecting" | "live" | "reconnecting";

/**
 * Follows a server-sent event stream of the API (same origin, the session cookie goes along). The
 * browser's EventSource reconnects by itself and sends `Last-Event-ID`, so nothing is missed; the
 * connection closes when the component leaves. Returns whether the stream is live, for the UI to say.
 */
export function useEventStream(url: string | null, onEvent: (event: StreamedEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!url || typeof EventSource === "undefined") return;
    const source = new EventSource(url);
    setState("connecting");
    source.onopen = () => setState("live");
    source.onerror = () => setState("reconnecting");
    source.onmessage = (message: MessageEvent<string>) => {
      const event = parseStreamedEvent(message.data);
      if (event) handler.current(event);
    };
    return () => source.close();
  }, [url]);
  return state;
}

const STATE_WORDS: Record<StreamState, string> = {
  connecting: "Connecting to live updates…",
  live: "Live",
  reconnecting: "Reconnecting to live updates…",
};

export const streamStateWords = (state: StreamState) => STATE_WORDS[state];
