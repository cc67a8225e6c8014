import { event as eventSchema, lastEventId, toWire } from "@nora/api-contract";
import { badRequest } from "@nora/core";
import type { EventService } from "@nora/domain/events/service";
import type { Request, Response } from "express";

const HEARTBEAT_MS = 15_000;
const BATCH = 200;

type EventRow = Awaited<ReturnType<EventService["after"]>>[number];

function message(row: EventRow): string {
  return `id: ${row.id}\ndata: ${JSON.stringify(toWire(eventSchema, row))}\n\n`;
}

/** Where a stream's rows come from: one agent's events, or every agent's of one workspace. */
export interface EventSource {
  after(afterId: string, limit: number): Promise<EventRow[]>;
  latestId(): Promise<string>;
  follow(follower: { notify(): void; end(): void }): () => void;
}

export const agentEventSource = (events: EventService, agentId: string): EventSource => ({
  after: (afterId, limit) => events.after(agentId, afterId, limit),
  latestId: () => events.latestId(agentId),
  follow: (follower) => events.follow(agentId, follower),
});

export const workspaceAgentEventSource = (events: EventService, workspaceId: string): EventSource => ({
  after: (afterId, limit) => events.workspaceAfter(workspaceId, afterId, limit),
  latestId: () => events.workspaceLatestId(workspaceId),
  follow: (follower) => events.followWorkspace(workspaceId, follower),
});

/**
 * Events as server-sent events (one agent's, or a workspace's agents'). `id:` is the events row id: a client that reconnects
 * sends it back as `Last-Event-ID` and gets every row after it, read from PostgreSQL; without one the
 * stream starts at the agent's newest event (the JSON GET gives the current state). Live rows follow
 * through the process's shared Redis subscriber: a notice only means "read again", and each heartbeat
 * reads again too, so a lost notice costs at most one heartbeat of latency.
 */
export async function streamEvents(
  req: Request,
  res: Response,
  source: EventSource,
  heartbeatMs = HEARTBEAT_MS,
  onClose: () => void = () => {},
): Promise<void> {
  const header = req.get("last-event-id");
  let lastId: string;
  if (header !== undefined && header.trim() !== "") {
    const parsed = lastEventId.safeParse(header.trim());
    if (!parsed.success) throw badRequest("invalid_last_event_id", "Last-Event-ID must be an event id");
    lastId = parsed.data;
  } else {
    lastId = await source.latestId();
  }

  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    // nginx and other proxies must pass each message on as it is written.
    "X-Accel-Buffering": "no",
    Connection: "keep-alive",
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  res.write("retry: 3000\n: connected\n\n");

  let closed = false;
  let pumping = false;
  let again = false;

  /** Writes every row after the last one sent; a call during a read asks for one more round. */
  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        let rows: EventRow[];
        do {
          rows = await source.after(lastId, BATCH);
          for (const row of rows) {
            if (closed) return;
            res.write(message(row));
            lastId = row.id;
          }
        } while (rows.length === BATCH && !closed);
      } while (again && !closed);
    } catch {
      // PostgreSQL went away: end the stream; the client reconnects with its Last-Event-ID.
      finish();
    } finally {
      pumping = false;
    }
  }

  const unfollow = source.follow({ notify: () => void pump(), end: () => finish() });
  const heartbeat = setInterval(() => {
    if (closed) return;
    res.write(": heartbeat\n\n");
    void pump();
  }, heartbeatMs);

  function finish(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unfollow();
    onClose();
    if (!res.writableEnded) res.end();
  }
  res.on("close", finish);
  await pump();
}
