"use client";

import { ThemeToggle, useLoaded } from "@nora/ui";
import Link from "next/link";
import { paths } from "../paths";
import { sessionStore } from "../session";
import { useCurrentWorkspace } from "../workspaces";
import { WorkspaceSwitcher } from "./workspace-switcher";

/** The banner of every dashboard page: the workspace switcher, the workspace's sections, the account. */
export function DashboardHeader() {
  const session = useLoaded(sessionStore);
  const workspace = useCurrentWorkspace();
  const me = session.state === "ready" ? session.value : null;
  return (
    <header className="nora-site-header">
      <div className="nora-site-header-inner">
        <Link href={paths.home()} className="nora-site-brand">
          Nora
        </Link>
        {me ? <WorkspaceSwitcher /> : null}
        {me && workspace ? (
          <nav aria-label="Workspace" className="nora-site-nav">
            <Link href={paths.agents(workspace.id)}>Agents</Link>
            <Link href={paths.settings(workspace.id)}>Settings</Link>
          </nav>
        ) : null}
        <nav aria-label="Account" className="nora-site-nav">
          {me ? <Link href={paths.account()}>{me.user.displayName ?? me.user.email}</Link> : null}
          {me?.user.role === "admin" ? <a href="/admin">Admin</a> : null}
          {me ? <a href="/logout">Sign out</a> : null}
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
