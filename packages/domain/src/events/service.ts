import type { ListEventsQuery } from "@nora/api-contract";
import { type Config, createRedis, type Logger, type Pool, type Redis } from "@nora/core";
import { agentEventsChannel, workspaceAgentEventsChannel } from "./channel.js";
import {
  agentEventsAfter,
  insertEvent,
  latestAgentEventId,
  latestWorkspaceAgentEventId,
  listWorkspaceEvents,
  workspaceAgentEventsAfter,
} from "./repo.js";

const DEFAULT_PAGE = 50;

/** One follower of an agent's events (an SSE stream): told when there may be rows to read, or to end. */
export interface EventFollower {
  notify(): void;
  end(): void;
}

/**
 * Events: the workspace's filtered history, an agent's rows after an id (what a stream replays), and
 * following an agent live. Following uses one shared Redis subscriber per process, opened on the first
 * follower; a notice only says "read again": the rows come from PostgreSQL.
 */
export function createEventService(deps: { config: Config; pool: Pool; logger: Logger }) {
  const { config, pool, logger } = deps;
  const followers = new Map<string, Set<EventFollower>>();
  let subscriber: Redis | undefined;

  function subscriberConnection(): Redis {
    if (subscriber) return subscriber;
    // Reconnects forever and re-subscribes its channels by itself (ioredis), unlike a command connection.
    const connection = createRedis(config.redis, "api-events", "bullmq");
    connection.on("message", (channel: string) => {
      for (const follower of followers.get(channel) ?? []) follower.notify();
    });
    subscriber = connection;
    return connection;
  }

  function followChannel(channel: string, follower: EventFollower): () => void {
    let set = followers.get(channel);
    if (!set) {
      set = new Set();
      followers.set(channel, set);
      // Once subscribed, read again: a notice published before the subscription took is not lost.
      subscriberConnection()
        .subscribe(channel)
        .then(
          () => {
            for (const f of followers.get(channel) ?? []) f.notify();
          },
          (error: unknown) => logger.warn({ err: error, channel }, "could not subscribe to events"),
        );
    }
    set.add(follower);
    return () => {
      const current = followers.get(channel);
      if (!current?.delete(follower) || current.size > 0) return;
      followers.delete(channel);
      subscriber?.unsubscribe(channel).catch(() => {});
    };
  }

  /** Asks every follower to end (shutdown): streams close cleanly instead of being cut. */
  function endStreams(): void {
    for (const set of followers.values()) for (const follower of [...set]) follower.end();
  }

  return {
    async list(workspaceId: string, query: ListEventsQuery) {
      const limit = query.limit ?? DEFAULT_PAGE;
      const rows = await listWorkspaceEvents(pool, workspaceId, {
        agentId: query.agentId,
        type: query.type,
        severity: query.severity,
        from: query.from,
        to: query.to,
        beforeId: query.cursor,
        limit: limit + 1,
      });
      const events = rows.slice(0, limit);
      const last = events[events.length - 1];
      return { events, ...(rows.length > limit && last ? { nextCursor: last.id } : {}) };
    },

    /** The agent's events after `afterId`, oldest first. */
    after: (agentId: string, afterId: string, limit = 200) => agentEventsAfter(pool, agentId, afterId, limit),

    latestId: (agentId: string) => latestAgentEventId(pool, agentId),

    /** The workspace's agent events after `afterId`, oldest first (the agents list's stream). */
    workspaceAfter: (workspaceId: string, afterId: string, limit = 200) =>
      workspaceAgentEventsAfter(pool, workspaceId, afterId, limit),

    workspaceLatestId: (workspaceId: string) => latestWorkspaceAgentEventId(pool, workspaceId),

    /** Follows an agent's channel; the returned function stops following (unsubscribing when last). */
    follow: (agentId: string, follower: EventFollower) =>
      followChannel(agentEventsChannel(config.redis.keyPrefix, agentId), follower),

    /** Follows every agent of a workspace on one channel. */
    followWorkspace: (workspaceId: string, follower: EventFollower) =>
      followChannel(workspaceAgentEventsChannel(config.redis.keyPrefix, workspaceId), follower),

    endStreams,

    /** Ends the streams and drops the subscriber (it holds no state worth a graceful QUIT). */
    close(): void {
      endStreams();
      followers.clear();
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;

/** Writes an event in the caller's transaction; publish it (channel.ts) once committed. */
export const recordEvent = insertEvent;
export type { EventRecord, EventSeverity, NewEvent } from "./repo.js";
