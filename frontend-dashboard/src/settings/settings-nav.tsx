"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import { paths, SETTINGS_SECTIONS, type SettingsSection } from "../paths";
import { useCurrentWorkspace } from "../workspaces";

const LABELS: Record<SettingsSection, string> = {
  members: "Members",
  invitations: "Invitations",
  "api-keys": "API keys",
  providers: "LLM providers",
  integrations: "Integrations",
  audit: "Audit log",
};

export function SettingsNav() {
  const workspace = useCurrentWorkspace();
  const segment = useSelectedLayoutSegment();
  if (!workspace) return null;
  return (
    <div className="nora-agent-heading">
      <h1>{workspace.name}: settings</h1>
      <nav aria-label="Workspace settings" className="nora-tabs">
        {SETTINGS_SECTIONS.map((section) => (
          <Link
            key={section}
            href={paths.settings(workspace.id, section)}
            aria-current={segment === section ? "page" : undefined}
            className="nora-tab"
          >
            {LABELS[section]}
          </Link>
        ))}
      </nav>
    </div>
  );
}
