/** A test's reader of `GET /api/agents/:agentId/events`: every event parsed, waited on by predicate. */
export interface StreamedEvent {
  id: string;
  type: string;
  metadata: Record<string, unknown>;
  message: string;
}

export interface AgentStream {
  events: StreamedEvent[];
  /** Resolves with the first event (already seen or still to come) matching `match`. */
  until(match: (event: StreamedEvent) => boolean, timeoutMs?: number): Promise<StreamedEvent>;
  close(): void;
}

export const statusIs =
  (...statuses: string[]) =>
  (event: StreamedEvent, after = "0") =>
    event.type === "agent.status_changed" &&
    BigInt(event.id) > BigInt(after) &&
    statuses.includes(String(event.metadata.to));

export async function openAgentStream(url: string, apiKey: string, lastEventId = "0"): Promise<AgentStream> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${apiKey}`, "last-event-id": lastEventId },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`event stream answered ${res.status}`);
  const events: StreamedEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data) events.push(JSON.parse(data) as StreamedEvent);
          for (const wake of waiters) wake();
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    until(match, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching event in ${timeoutMs} ms; seen: ${events.map((e) => e.message).join(" | ")}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
