"use client";

import type { Me } from "@nora/api-client";
import { loadedStore, Notice, useLoaded } from "@nora/ui";
import { usePathname } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { auth } from "./api";
import { signInUrl } from "./paths";

/** The signed-in caller (`null`: no valid session), shared by the header and the pages. */
export const sessionStore = loadedStore<Me | null>(() => auth.me());

/** Where this page is, with the basePath, to come back to after signing in. */
function currentAddress(): string {
  return window.location.pathname + window.location.search;
}

/** The signed-in caller; only below <SessionGate>, which renders nothing until there is one. */
export function useMe(): Me {
  const loaded = useLoaded(sessionStore);
  if (loaded.state !== "ready" || !loaded.value) throw new Error("useMe outside <SessionGate>");
  return loaded.value;
}

/**
 * Renders its children only for a signed-in caller: without a session the browser goes to the
 * marketing app's sign-in page, which sends it back here. The API still judges every call.
 * `openPaths` are pages that decide for themselves what a visitor without a session sees (the
 * invitation page sends them to signup instead): they render at once, without the redirect.
 */
export function SessionGate({
  children,
  openPaths = [],
}: {
  children: ReactNode;
  openPaths?: readonly string[];
}) {
  const pathname = usePathname();
  const loaded = useLoaded(sessionStore);
  const open = openPaths.includes(pathname);
  const signedOut = !open && loaded.state === "ready" && loaded.value === null;
  useEffect(() => {
    if (signedOut) window.location.assign(signInUrl(currentAddress()));
  }, [signedOut]);

  if (open) return <>{children}</>;
  if (loaded.state === "failed") {
    return (
      <Notice tone="danger" title="Nora could not load your session">
        {loaded.error instanceof Error ? loaded.error.message : "The server could not be reached."}
      </Notice>
    );
  }
  if (loaded.state === "loading" || signedOut) return <p className="nora-loading">Loading…</p>;
  return <>{children}</>;
}
