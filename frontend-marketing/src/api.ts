import { type BootstrapStatus, createAuthApi, type Me } from "@nora/api-client";

/**
 * The auth calls, same-origin through nginx: the API sets the session cookie HttpOnly, so nothing here
 * ever holds a token. `baseUrl: ""` makes every URL relative to the page's origin.
 */
export const auth = createAuthApi({ baseUrl: "" });

interface Kept<T> {
  read(): { value: T; at: number } | undefined;
  write(entry: { value: T; at: number } | undefined): void;
}

/**
 * Keeps a public answer in the tab's sessionStorage, so a full page load within the TTL asks nothing.
 * Only what anyone may read (the bootstrap status) goes there; never a session, user or token.
 */
function sessionKept<T>(key: string): Kept<T> {
  const storage = () => {
    try {
      return window.sessionStorage;
    } catch {
      return undefined;
    }
  };
  return {
    read() {
      try {
        const raw = storage()?.getItem(key);
        return raw ? (JSON.parse(raw) as { value: T; at: number }) : undefined;
      } catch {
        return undefined;
      }
    },
    write(entry) {
      try {
        if (entry) storage()?.setItem(key, JSON.stringify(entry));
        else storage()?.removeItem(key);
      } catch {
        // Storage refused: the in-memory copy still serves this page.
      }
    },
  };
}

/**
 * A value fetched once and shared by the pages a visitor moves between (client-side navigation keeps
 * this module; `kept` outlives a full page load), for `ttlMs`; a failed fetch is not kept. Fewer
 * calls also stay clear of nginx's per-IP limit on /api/auth/.
 */
function shared<T>(load: () => Promise<T>, ttlMs: number, kept?: Kept<T>) {
  let entry: { promise: Promise<T>; at: number } | undefined;
  return {
    get(): Promise<T> {
      if (entry && Date.now() - entry.at < ttlMs) return entry.promise;
      const stored = kept?.read();
      if (stored && Date.now() - stored.at < ttlMs && Date.now() >= stored.at) {
        entry = { promise: Promise.resolve(stored.value), at: stored.at };
        return entry.promise;
      }
      const promise = load();
      const current = { promise, at: Date.now() };
      entry = current;
      promise.then(
        (value) => {
          if (entry === current) kept?.write({ value, at: current.at });
        },
        () => {
          if (entry === current) entry = undefined;
        },
      );
      return promise;
    },
    /** After a change (a claim, a sign-in), the next `get` asks again. */
    forget(): void {
      entry = undefined;
      kept?.write(undefined);
    },
  };
}

export const bootstrapStatus = shared<BootstrapStatus>(
  () => auth.bootstrapStatus(),
  60_000,
  sessionKept("nora-bootstrap-status"),
);
export const session = shared<Me | null>(() => auth.me(), 10_000);
