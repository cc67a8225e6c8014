import type { Config, Logger, Redis } from "@nora/core";
import type { CachedLookups } from "@nora/domain";
import type { KeyForAuth, LiveSession } from "@nora/domain/auth/authentication";
import type { WorkspaceRole } from "@nora/domain/workspaces/roles";
import type { WorkspaceRow } from "@nora/domain/workspaces/service";
import pg from "pg";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
export const AUTH_CHANGED_CHANNEL = "nora_auth_changed";

class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  constructor(private readonly generation: () => number) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (Date.now() - hit.at > TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }
  /**
   * Stores a value read from the database, unless the cache was emptied after that read began
   * (`readAt`, the generation when it began): the read may predate the change that emptied the cache.
   */
  set(key: string, value: V, readAt: number): void {
    if (readAt !== this.generation()) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: Date.now() });
  }
  clear(): void {
    this.entries.clear();
  }
}

/**
 * In-process cache of authentication lookups (sessions by token, API keys by hash, workspace roles) and
 * of the lookups the domain reads through it (workspaces, agents' workspaces and opened gateways).
 * Invalidation, so that revocation stays immediate:
 * - every mutating API request, on any replica, bumps a shared epoch in Redis *before* its response
 *   is written; every authenticated request reads the epoch first and empties the cache when it moved.
 *   A revocation made through the API is therefore seen by the very next request on every replica;
 * - database triggers NOTIFY `nora_auth_changed` on any change that can take access away, so changes
 *   made outside the API (an operator's SQL) reach every cache within milliseconds;
 * - entries live at most 30 s;
 * - a read that was in flight when the cache was emptied is not stored (see `read`).
 * The cache only saves lookups: it never decides validity. Whatever a lookup returns, cached or fresh,
 * is judged by the same function at the moment of use (api-keys/usable.ts, `sessionUsableAt`), so a
 * condition that depends on the clock (expiry) holds on a hit exactly as on a miss.
 * The cache is bypassed whenever the epoch cannot be read or the LISTEN connection is down.
 */
export class AuthCache {
  private generation = 0;
  private readonly currentGeneration = () => this.generation;
  readonly sessions = new TtlMap<LiveSession>(this.currentGeneration);
  readonly keys = new TtlMap<KeyForAuth>(this.currentGeneration);
  readonly roles = new TtlMap<WorkspaceRole | null>(this.currentGeneration);
  /** Workspace records: read on every workspace page, changed rarely, invalidated like the rest. */
  readonly workspaces = new TtlMap<WorkspaceRow>(this.currentGeneration);
  /**
   * Agents' workspaces and their opened gateways (address judged and pinned, token opened): read on
   * every agent route and every proxied request. A change to an agent's status, workspace, family,
   * addresses or gateway token, or its deletion, notifies like an access change (migration 0015);
   * an API mutation (stop, redeploy, delete) moves the epoch before its response, as every mutation does.
   */
  readonly agentWorkspaces = new TtlMap<string>(this.currentGeneration);
  readonly agentGateways = new TtlMap<CachedLookups["agentGateways"]>(this.currentGeneration);
  /** The maps the domain reads through (app.ts `readThroughOf`), by lookup kind. */
  readonly lookups: { [K in keyof CachedLookups]: TtlMap<CachedLookups[K]> } = {
    workspaces: this.workspaces,
    roles: this.roles,
    agentWorkspaces: this.agentWorkspaces,
    agentGateways: this.agentGateways,
  };
  private listening = false;
  private readonly clearListeners = new Set<() => void>();
  private epoch: string | null = null;
  private epochReadable = false;

  constructor(
    private readonly redis: Redis,
    private readonly epochKey: string,
  ) {}

  /** True when lookups may be served from the cache (set per request by `sync`). */
  get enabled(): boolean {
    return this.listening && this.epochReadable;
  }

  get isListening(): boolean {
    return this.listening;
  }

  setListening(listening: boolean): void {
    this.listening = listening;
    this.clear();
  }

  /**
   * The value under `key`: from the cache when it is on and holds it, else from `load`, stored when
   * `keep` accepts it. A hit `keep` no longer accepts (its cached expiry passed, though the database may
   * have extended it since) counts as a miss. Callers still judge the value they get (a hit is not a verdict).
   */
  async read<V>(
    map: TtlMap<V>,
    key: string,
    load: () => Promise<V | undefined>,
    keep: (value: V) => boolean = () => true,
  ): Promise<V | undefined> {
    if (!this.enabled) return load();
    const hit = map.get(key);
    if (hit !== undefined && keep(hit)) return hit;
    const readAt = this.generation;
    const value = await load();
    if (value !== undefined && this.enabled && keep(value)) map.set(key, value, readAt);
    return value;
  }

  /** Reads the shared epoch; empties the cache if another request changed access since. */
  async sync(): Promise<boolean> {
    try {
      const epoch = (await this.redis.get(this.epochKey)) ?? "0";
      if (epoch !== this.epoch) {
        this.clear();
        this.epoch = epoch;
      }
      this.epochReadable = true;
    } catch {
      this.epochReadable = false;
    }
    return this.enabled;
  }

  /** Called by a mutating request before its response leaves: every replica will drop its cache. */
  async invalidateEverywhere(): Promise<void> {
    this.clear();
    await this.redis.incr(this.epochKey);
  }

  clear(): void {
    this.generation++;
    this.sessions.clear();
    this.keys.clear();
    this.roles.clear();
    for (const map of Object.values(this.lookups)) map.clear();
    for (const listener of this.clearListeners) listener();
  }

  /**
   * Calls `listener` whenever the cache is emptied, i.e. whenever access may have been taken away (here
   * or on another replica): long-lived streams re-check their caller then. Returns the unsubscribe.
   */
  onClear(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => this.clearListeners.delete(listener);
  }
}

export function createAuthCache(config: Config, redis: Redis): AuthCache {
  return new AuthCache(redis, `${config.redis.keyPrefix}:auth:epoch`);
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
