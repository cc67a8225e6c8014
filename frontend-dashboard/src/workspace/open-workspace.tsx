"use client";

import { Notice, useLoaded } from "@nora/ui";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { paths } from "../paths";
import { lastWorkspace, workspacesStore } from "../workspaces";

/** /app: opens the workspace last used in this browser, else the first, else workspace creation. */
export function OpenWorkspace() {
  const router = useRouter();
  const loaded = useLoaded(workspacesStore);
  useEffect(() => {
    if (loaded.state !== "ready") return;
    const last = lastWorkspace();
    const target = loaded.value.find((w) => w.id === last) ?? loaded.value[0];
    router.replace(target ? paths.agents(target.id) : paths.newWorkspace());
  }, [loaded, router]);
  if (loaded.state === "failed") {
    return <Notice tone="danger" title="Your workspaces could not be loaded" />;
  }
  return <p className="nora-loading">Opening your workspace…</p>;
}
