"use client";
import type { BootstrapStatus, Me } from "@nora/api-client";
import { useCallback, useEffect, useState } from "react";
import { bootstrapStatus, session } from "./api";
import { nextPath } from "./navigation";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ready"; value: T }
  | { state: "failed"; error: unknown; retry: () => void };

export interface AuthPage {
  status: Loaded<BootstrapStatus>;
  /** `undefined` while unknown; `null` when nobody is signed in. */
  me: Me | null | undefined;
  /** True while a signed-in visitor is being sent on to the dashboard. */
  leaving: boolean;
}

/** The `next` of the page's query string (where a sign-in should land), checked by `nextPath`. */
export function landingPath(): string {
  return nextPath(new URLSearchParams(window.location.search).get("next"));
}

/**
 * What every page of this app needs first: the server's bootstrap status (claimed? who may sign up?
 * which sign-in methods?) and whether the visitor is signed in. A signed-in visitor goes straight to
 * the dashboard unless the page says otherwise (`stayWhenSignedIn`: email verification, sign-out);
 * a page that shows nothing of the status says so (`needsStatus: false`) and does not ask for it.
 */
export function useAuthPage(options: { stayWhenSignedIn?: boolean; needsStatus?: boolean } = {}): AuthPage {
  const stay = options.stayWhenSignedIn ?? false;
  const needsStatus = options.needsStatus ?? true;
  const [status, setStatus] = useState<Loaded<BootstrapStatus>>({ state: "loading" });
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    session.get().then(
      (found) => {
        if (!live) return;
        setMe(found);
        if (found && !stay) window.location.replace(landingPath());
      },
      // Not knowing the session is not fatal here: the page still works for a visitor.
      () => live && setMe(null),
    );
    return () => {
      live = false;
    };
  }, [stay]);

  useEffect(() => {
    if (!needsStatus) return;
    let live = true;
    // A retry asks the server again, whatever is kept.
    if (attempt > 0) bootstrapStatus.forget();
    setStatus({ state: "loading" });
    bootstrapStatus.get().then(
      (value) => live && setStatus({ state: "ready", value }),
      (error: unknown) => live && setStatus({ state: "failed", error, retry }),
    );
    return () => {
      live = false;
    };
  }, [retry, attempt, needsStatus]);

  return { status, me, leaving: Boolean(me) && !stay };
}
