"use client";

import { useLoaded } from "@nora/ui";
import { useRouter } from "next/navigation";
import { paths } from "../paths";
import { useCurrentWorkspace, workspacesStore } from "../workspaces";

const NEW = "__new__";

/** Picks the workspace every page below works in; the last choice opens again at /app. */
export function WorkspaceSwitcher() {
  const router = useRouter();
  const loaded = useLoaded(workspacesStore);
  const current = useCurrentWorkspace();
  if (loaded.state !== "ready") return null;
  return (
    <label className="nora-workspace-switcher">
      <span className="nora-visually-hidden">Workspace</span>
      <select
        value={current?.id ?? ""}
        onChange={(event) => {
          const id = event.target.value;
          router.push(id === NEW ? paths.newWorkspace() : paths.agents(id));
        }}
      >
        {current ? null : <option value="">Choose a workspace</option>}
        {loaded.value.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}
          </option>
        ))}
        <option value={NEW}>New workspace…</option>
      </select>
    </label>
  );
}
