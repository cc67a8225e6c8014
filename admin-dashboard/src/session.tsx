"use client";

import type { Me } from "@nora/api-client";
import { type Loaded, loadedStore, Notice, useLoaded } from "@nora/ui";
import { type ReactNode, useEffect } from "react";
import { auth } from "./api";
import { DASHBOARD_URL, signInUrl } from "./paths";

/** The signed-in caller (`null`: no valid session), shared by the header and the gate. */
export const sessionStore = loadedStore<Me | null>(() => auth.me());

/** The signed-in admin; only below <AdminGate>, which renders nothing until there is one. */
export function useMe(): Me {
  const loaded = useLoaded(sessionStore);
  if (loaded.state !== "ready" || !loaded.value) throw new Error("useMe outside <AdminGate>");
  return loaded.value;
}

export type GateState = "loading" | "failed" | "signed-out" | "refused" | "admin";

/** What the gate shows for a session as loaded: only a platform admin gets the pages. */
export function gateStateOf(loaded: Loaded<Me | null>): GateState {
  if (loaded.state === "loading") return "loading";
  if (loaded.state === "failed") return "failed";
  if (loaded.value === null) return "signed-out";
  return loaded.value.user.role === "admin" ? "admin" : "refused";
}

/** The page a signed-in caller who is not a platform admin sees instead of the admin app. */
export function NotAnAdmin({ email }: { email: string }) {
  return (
    <section className="nora-stack" aria-labelledby="not-admin-title">
      <h1 id="not-admin-title">Administrators only</h1>
      <Notice tone="warning" title="This area is for platform administrators">
        You are signed in as {email}, which is not a platform administrator account. Ask an administrator of
        this server if you need access.
      </Notice>
      <p>
        <a href={DASHBOARD_URL}>Go to your dashboard</a>
      </p>
    </section>
  );
}

/** The gate's rendering for a state; a pure function of it, so tests render each state. */
export function GateView({
  state,
  loaded,
  children,
}: {
  state: GateState;
  loaded: Loaded<Me | null>;
  children: ReactNode;
}) {
  if (state === "failed") {
    return (
      <Notice tone="danger" title="Nora could not load your session">
        {loaded.error instanceof Error ? loaded.error.message : "The server could not be reached."}
      </Notice>
    );
  }
  if (state === "refused" && loaded.state === "ready" && loaded.value) {
    return <NotAnAdmin email={loaded.value.user.email} />;
  }
  if (state !== "admin") return <p className="nora-loading">Loading…</p>;
  return <>{children}</>;
}

/**
 * Renders the admin pages only for a platform admin. Without a session the browser goes to the
 * sign-in page, which sends it back here; anyone else gets a clear refusal. The API refuses regardless.
 */
export function AdminGate({ children }: { children: ReactNode }) {
  const loaded = useLoaded(sessionStore);
  const state = gateStateOf(loaded);
  useEffect(() => {
    if (state === "signed-out") {
      window.location.assign(signInUrl(window.location.pathname + window.location.search));
    }
  }, [state]);
  return (
    <GateView state={state} loaded={loaded}>
      {children}
    </GateView>
  );
}
