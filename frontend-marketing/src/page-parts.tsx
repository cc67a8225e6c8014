"use client";
import { Button, FormAlert, formErrorsFrom, Notice } from "@nora/ui";
import type { ReactNode } from "react";
import type { Loaded } from "./use-auth-page";

/** The frame of every sign-in page: a heading, an optional lead, the content, and links below it. */
export function AuthCard({
  title,
  lead,
  children,
  footer,
}: {
  title: string;
  lead?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <section className="nora-card" aria-labelledby="nora-card-title">
      <h1 id="nora-card-title">{title}</h1>
      {lead === undefined ? null : <div className="nora-lead">{lead}</div>}
      {children}
      {footer === undefined ? null : <div className="nora-card-footer">{footer}</div>}
    </section>
  );
}

/**
 * Renders `children` with the loaded value; while loading a busy placeholder, after a failure the
 * error (with its request id) and a retry button.
 */
export function WhenLoaded<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  what: string;
  children: (value: T) => ReactNode;
}) {
  if (loaded.state === "loading") {
    return (
      <p className="nora-loading" aria-busy="true">
        <span className="nora-spinner" aria-hidden="true" /> Loading {what}…
      </p>
    );
  }
  if (loaded.state === "failed") {
    return (
      <div>
        <FormAlert title={`Could not load ${what}`} errors={formErrorsFrom(loaded.error)} />
        <Button variant="secondary" onClick={loaded.retry}>
          Try again
        </Button>
      </div>
    );
  }
  return <>{children(loaded.value)}</>;
}

/** Shown instead of the page while a signed-in visitor is sent on to the dashboard. */
export function Leaving() {
  return (
    <Notice tone="info" title="You are signed in" role="status">
      <p>Taking you to the dashboard…</p>
    </Notice>
  );
}
