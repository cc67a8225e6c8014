import type { Config, Logger } from "@nora/core";
import pg from "pg";
import type { KeyForAuth } from "../modules/api-keys/repo.js";
import type { LiveSession } from "../modules/auth/repo.js";
import type { WorkspaceRole } from "../modules/workspaces/roles.js";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
export const AUTH_CHANGED_CHANNEL = "nora_auth_changed";

class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (Date.now() - hit.at > TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, value: V): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: Date.now() });
  }
  clear(): void {
    this.entries.clear();
  }
}

/**
 * In-process cache of authentication lookups (sessions by token, API keys by hash, workspace roles).
 * It is only used while this process LISTENs for `nora_auth_changed`, which database triggers send on
 * every change that can take access away (revocation, disable, role change, membership, key changes):
 * any such notification empties it. The process also empties it after each mutating request it serves,
 * so its own revocations take effect before its response is sent. Entries live at most 30 s.
 */
export class AuthCache {
  readonly sessions = new TtlMap<{ claims: { sid: string; sub: string }; session: LiveSession }>();
  readonly keys = new TtlMap<KeyForAuth>();
  readonly roles = new TtlMap<WorkspaceRole | null>();
  private listening = false;

  get enabled(): boolean {
    return this.listening;
  }

  setListening(listening: boolean): void {
    this.listening = listening;
    this.clear();
  }

  clear(): void {
    this.sessions.clear();
    this.keys.clear();
    this.roles.clear();
  }
}

/** Keeps a dedicated connection LISTENing for auth changes; the cache is off whenever it is down. */
export function listenForAuthChanges(
  config: Config,
  cache: AuthCache,
  logger: Logger,
): { stop(): Promise<void> } {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;

  const connect = async () => {
    const c = new pg.Client({
      connectionString: config.database.url,
      application_name: "nora-api-auth-listener",
    });
    client = c;
    const lost = () => {
      cache.setListening(false);
      if (stopped || client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      retryTimer = setTimeout(connect, Math.min(250 * 2 ** attempt++, 10_000));
      retryTimer.unref();
    };
    c.on("error", lost);
    c.on("end", lost);
    c.on("notification", () => cache.clear());
    try {
      await c.connect();
      await c.query(`LISTEN ${AUTH_CHANGED_CHANNEL}`);
      if (stopped) return;
      attempt = 0;
      cache.setListening(true);
    } catch (error) {
      logger.warn({ err: error }, "auth change listener unavailable; authentication is not cached");
      lost();
    }
  };
  void connect();

  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      cache.setListening(false);
      await client?.end().catch(() => {});
    },
  };
}
