"use client";

import { ThemeToggle, useLoaded } from "@nora/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { DASHBOARD_URL, SECTIONS } from "../paths";
import { sessionStore } from "../session";

/** The banner of every admin page: the sections (for admins only), the way back, the account. */
export function AdminHeader() {
  const session = useLoaded(sessionStore);
  const pathname = usePathname();
  const me = session.state === "ready" ? session.value : null;
  const isAdmin = me?.user.role === "admin";
  return (
    <header className="nora-site-header">
      <div className="nora-site-header-inner">
        <Link href="/" className="nora-site-brand">
          Nora admin
        </Link>
        {isAdmin ? (
          <nav aria-label="Administration" className="nora-site-nav nora-admin-nav">
            {SECTIONS.map((section) => (
              <Link
                key={section.path}
                href={section.path}
                aria-current={pathname === section.path ? "page" : undefined}
              >
                {section.label}
              </Link>
            ))}
          </nav>
        ) : null}
        <nav aria-label="Account" className="nora-site-nav">
          {me ? <a href={DASHBOARD_URL}>Dashboard</a> : null}
          {me ? <a href="/logout">Sign out</a> : null}
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
