import { type BootstrapStatus, createAuthApi, type Me } from "@nora/api-client";

/**
 * The auth calls, same-origin through nginx: the API sets the session cookie HttpOnly, so nothing here
 * ever holds a token. `baseUrl: ""` makes every URL relative to the page's origin.
 */
export const auth = createAuthApi({ baseUrl: "" });

/**
 * A value fetched once and shared by the pages a visitor moves between (client-side navigation keeps
 * this module), for `ttlMs`; a failed fetch is not kept. Fewer calls also stay clear of nginx's
 * per-IP limit on /api/auth/.
 */
function shared<T>(load: () => Promise<T>, ttlMs: number) {
  let entry: { promise: Promise<T>; at: number } | undefined;
  return {
    get(): Promise<T> {
      if (entry && Date.now() - entry.at < ttlMs) return entry.promise;
      const promise = load();
      const current = { promise, at: Date.now() };
      entry = current;
      promise.catch(() => {
        if (entry === current) entry = undefined;
      });
      return promise;
    },
    /** After a change (a claim, a sign-in), the next `get` asks again. */
    forget(): void {
      entry = undefined;
    },
  };
}

export const bootstrapStatus = shared<BootstrapStatus>(() => auth.bootstrapStatus(), 30_000);
export const session = shared<Me | null>(() => auth.me(), 10_000);
