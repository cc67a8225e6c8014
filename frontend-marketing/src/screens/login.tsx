"use client";
import { Notice } from "@nora/ui";
import Link from "next/link";
import { useEffect, useState } from "react";
import { oauthErrorMessage } from "../navigation";
import { OAuthButtons } from "../oauth-buttons";
import { AuthCard, Leaving, WhenLoaded } from "../page-parts";
import { SignInForm } from "../sign-in-form";
import { landingPath, useAuthPage } from "../use-auth-page";

export function LoginPage() {
  const page = useAuthPage();
  const [oauthError, setOauthError] = useState<string | undefined>();
  useEffect(
    () => setOauthError(oauthErrorMessage(new URLSearchParams(window.location.search).get("error"))),
    [],
  );
  if (page.leaving) return <Leaving />;
  return (
    <AuthCard title="Sign in to Nora">
      <WhenLoaded loaded={page.status} what="the sign-in options">
        {(status) =>
          status.needsClaim ? (
            <Notice tone="info" title="This server has no accounts yet">
              <p>
                The first account to be created claims the server and becomes its administrator.{" "}
                <Link href="/claim">Claim this server</Link>.
              </p>
            </Notice>
          ) : (
            <>
              {oauthError ? (
                <Notice tone="danger" title="The sign-in did not complete" role="status">
                  <p>{oauthError}</p>
                </Notice>
              ) : null}
              <OAuthButtons status={status} />
              {status.signIn.password ? (
                <SignInForm
                  passwordReset={status.passwordReset}
                  onSignedIn={() => window.location.assign(landingPath())}
                />
              ) : null}
              <p className="nora-card-footer">
                {status.signup.newAccounts === "closed" ? (
                  "This server is not accepting new accounts."
                ) : status.signup.newAccounts === "invitation" ? (
                  <>
                    New here? Accounts are by invitation: <Link href="/signup">how to join</Link>
                  </>
                ) : (
                  <>
                    New here? <Link href="/signup">Create an account</Link>
                  </>
                )}
              </p>
            </>
          )
        }
      </WhenLoaded>
    </AuthCard>
  );
}
