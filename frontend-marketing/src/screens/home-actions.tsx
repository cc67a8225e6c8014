"use client";
import { ButtonLink } from "@nora/ui";
import { Leaving } from "../page-parts";
import { useAuthPage } from "../use-auth-page";

/** The landing page's calls to action, by the server's state: claim it, or sign in / sign up. */
export function HomeActions() {
  const page = useAuthPage();
  if (page.leaving) return <Leaving />;
  const status = page.status.state === "ready" ? page.status.value : undefined;
  if (status?.needsClaim) {
    return (
      <div className="nora-actions">
        <ButtonLink href="/claim" size="lg">
          Claim this server
        </ButtonLink>
        <p className="nora-actions-note">
          Nobody has an account here yet: the first one becomes the administrator.
        </p>
      </div>
    );
  }
  return (
    <div className="nora-actions">
      <ButtonLink href="/login" size="lg">
        Sign in
      </ButtonLink>
      {status?.signup.newAccounts === "closed" ? null : (
        <ButtonLink href="/signup" size="lg" variant="secondary">
          {status?.signup.newAccounts === "invitation" ? "Join with an invitation" : "Create an account"}
        </ButtonLink>
      )}
    </div>
  );
}
