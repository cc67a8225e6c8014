"use client";

import type { CallOutput } from "@nora/api-client";
import { workspaceRoutes } from "@nora/api-contract";
import { loadedStore, useLoaded } from "@nora/ui";
import { useParams } from "next/navigation";
import { api } from "./api";

export type WorkspaceWithRole = CallOutput<typeof workspaceRoutes.list>["workspaces"][number];

/** The caller's workspaces with their role in each, shared by the switcher and the pages. */
export const workspacesStore = loadedStore(async () => (await api.call(workspaceRoutes.list)).workspaces);

const LAST_WORKSPACE_KEY = "nora-last-workspace";

/** The workspace last opened in this browser (an id, not a secret), to open it again at /app. */
export function rememberWorkspace(id: string): void {
  try {
    window.localStorage.setItem(LAST_WORKSPACE_KEY, id);
  } catch {
    // Storage refused: /app opens the first workspace instead.
  }
}

export function lastWorkspace(): string | null {
  try {
    return window.localStorage.getItem(LAST_WORKSPACE_KEY);
  } catch {
    return null;
  }
}

/** The workspace of the current route (`/w/:workspaceId/...`), once the list has loaded. */
export function useCurrentWorkspace(): WorkspaceWithRole | undefined {
  const params = useParams<{ workspaceId?: string }>();
  const loaded = useLoaded(workspacesStore);
  if (!params.workspaceId || loaded.state !== "ready") return undefined;
  return loaded.value.find((w) => w.id === params.workspaceId);
}
