"use client";

import { Notice, useLoaded } from "@nora/ui";
import Link from "next/link";
import { type ReactNode, useEffect } from "react";
import { paths } from "../paths";
import { rememberWorkspace, useCurrentWorkspace, workspacesStore } from "../workspaces";

/** Everything under /w/:workspaceId: renders once the caller's membership is known. */
export function WorkspaceFrame({ workspaceId, children }: { workspaceId: string; children: ReactNode }) {
  const loaded = useLoaded(workspacesStore);
  const workspace = useCurrentWorkspace();
  useEffect(() => {
    if (workspace) rememberWorkspace(workspace.id);
  }, [workspace]);
  if (loaded.state === "failed") return <Notice tone="danger" title="Your workspaces could not be loaded" />;
  if (loaded.state === "loading") return <p className="nora-loading">Loading…</p>;
  if (!workspace) {
    return (
      <Notice tone="warning" title="No such workspace">
        You are not a member of workspace {workspaceId}. <Link href={paths.home()}>Open your workspaces</Link>
      </Notice>
    );
  }
  return <>{children}</>;
}
