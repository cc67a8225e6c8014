"use client";
import type { BootstrapStatus } from "@nora/api-client";
import { ApiError } from "@nora/api-client";
import { Notice } from "@nora/ui";
import Link from "next/link";
import { useEffect, useState } from "react";
import { type AccountDetails, AccountForm } from "../account-form";
import { auth, bootstrapStatus, session } from "../api";
import { DASHBOARD_PATH, takeFragmentParams } from "../navigation";
import { OAuthButtons } from "../oauth-buttons";
import { AuthCard, Leaving, WhenLoaded } from "../page-parts";
import { useAuthPage } from "../use-auth-page";

const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** An invitation link brings the token (and the invited address) in the fragment: `#invitation=...`. */
function useInvitation(): { token: string | null; email: string | null } {
  const [invitation, setInvitation] = useState<{ token: string | null; email: string | null }>({
    token: null,
    email: null,
  });
  useEffect(() => {
    const { invitation: token, email } = takeFragmentParams(["invitation", "email"]);
    if (token && INVITATION_TOKEN.test(token)) setInvitation({ token, email: email ?? null });
  }, []);
  return invitation;
}

/** Creates the account, then signs in with it: a `202` does not say whether the address was new. */
async function createAndSignIn(details: AccountDetails, invitationToken: string | null) {
  await auth.signUp({ ...details, ...(invitationToken ? { invitationToken } : {}) });
  bootstrapStatus.forget();
  try {
    const user = await auth.signIn({ email: details.email, password: details.password });
    session.forget();
    return user;
  } catch (error) {
    // The address already had an account (with another password): the answer must not say so.
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

function SignupForm({
  status,
  invitationToken,
  email,
}: {
  status: BootstrapStatus;
  invitationToken: string | null;
  email: string | null;
}) {
  const [done, setDone] = useState(false);
  if (done) {
    return (
      <Notice tone="success" title="Check your email" role="status">
        <p>
          If this address is new here, its account is ready: <Link href="/login">sign in</Link>. If it already
          had an account, sign in with that account's password, or reset it.
        </p>
      </Notice>
    );
  }
  return (
    <>
      <OAuthButtons status={status} verb="Sign up" />
      <AccountForm
        status={status}
        {...(email ? { email } : {})}
        submitLabel="Create account"
        failureTitle="Could not create the account"
        create={(details) => createAndSignIn(details, invitationToken)}
        onCreated={(user) => (user ? window.location.assign(DASHBOARD_PATH) : setDone(true))}
      />
    </>
  );
}

function ByInvitation({ status }: { status: BootstrapStatus }) {
  return (
    <>
      <Notice tone="info" title="Accounts here are by invitation">
        <p>
          To join, ask a workspace admin on this server to invite your email address. The invitation (an
          email, or a link they send you) brings you back here to create your account.
        </p>
        {auth.oauthProviders(status).length > 0 ? (
          <p>Once invited, you can also sign up with a provider below, using the invited address.</p>
        ) : null}
      </Notice>
      <OAuthButtons status={status} verb="Sign up" />
    </>
  );
}

export function SignupPage() {
  const page = useAuthPage();
  const invitation = useInvitation();
  useEffect(() => {
    if (page.status.state === "ready" && page.status.value.needsClaim) window.location.replace("/claim");
  }, [page.status]);
  if (page.leaving) return <Leaving />;
  return (
    <AuthCard
      title="Create your Nora account"
      footer={
        <p>
          Already have an account? <Link href="/login">Sign in</Link>
        </p>
      }
    >
      <WhenLoaded loaded={page.status} what="the signup options">
        {(status) => {
          if (status.needsClaim) return <p>This server is not claimed yet; taking you to the claim page…</p>;
          if (status.signup.newAccounts === "closed") {
            return (
              <Notice tone="warning" title="This server is not accepting new accounts">
                <p>
                  Its administrator has closed signups. If you need access, ask them; if you already have an
                  account, <Link href="/login">sign in</Link>.
                </p>
              </Notice>
            );
          }
          if (status.signup.newAccounts === "invitation" && !invitation.token) {
            return <ByInvitation status={status} />;
          }
          return (
            <>
              {invitation.token ? (
                <Notice tone="info" title="You are accepting an invitation">
                  <p>Create the account with the address the invitation was sent to.</p>
                </Notice>
              ) : null}
              <SignupForm status={status} invitationToken={invitation.token} email={invitation.email} />
            </>
          );
        }}
      </WhenLoaded>
    </AuthCard>
  );
}
