/**
 * What a stream's close code means to the person watching it, and whether trying again can help
 * (docs/runtime-access.md, "Streams over WebSocket"). A refused upgrade (409, 429, 403...) reaches the
 * browser as a bare 1006 without its body, so "never opened" says what the usual causes are.
 */
export interface CloseMeaning {
  message: string;
  /** Reconnecting automatically can help (a restart, a stall, a runtime hiccup). */
  retry: boolean;
}

export function describeClose(code: number, reason: string, opened: boolean): CloseMeaning {
  switch (code) {
    case 1000:
      return { message: "The stream ended.", retry: false };
    case 1001:
      return { message: "The server is restarting.", retry: true };
    case 1008:
      return { message: "The server refused a message of this stream.", retry: false };
    case 1011:
      return {
        message:
          reason === "runtime_stream_ended"
            ? "The agent's runtime ended the stream."
            : "The agent's runtime did not answer.",
        retry: true,
      };
    case 1013:
      return { message: "The agent is starting.", retry: true };
    case 4401:
      return { message: "Your session ended: sign in again.", retry: false };
    case 4403:
      return { message: "Your access to this agent was removed.", retry: false };
    case 4408:
      return { message: "The connection was too slow to keep up.", retry: true };
    case 4409:
      return { message: "The agent stopped.", retry: false };
    default:
      return opened
        ? { message: "The connection was lost.", retry: true }
        : {
            message:
              "The stream could not be opened (the agent may not be running, or too many streams are open).",
            retry: true,
          };
  }
}

/** Delay before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, with a little jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.8 + 0.4 * random()));
}
