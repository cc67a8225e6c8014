"use client";
import { isApiError } from "@nora/api-client";
import { Button, FormAlert, type FormErrors, formErrorsFrom, Notice } from "@nora/ui";
import { useCallback, useEffect, useState } from "react";
import { auth, session } from "../api";
import { DASHBOARD_PATH, takeFragmentParams } from "../navigation";
import { AuthCard, WhenLoaded } from "../page-parts";
import { SignInForm } from "../sign-in-form";
import { useAuthPage } from "../use-auth-page";

type Outcome =
  | { state: "idle" }
  | { state: "verifying" }
  | { state: "verified" }
  | { state: "failed"; errors: FormErrors; code: string | undefined };

function Resend() {
  const [state, setState] = useState<"idle" | "sending" | "sent">("idle");
  const [errors, setErrors] = useState<FormErrors | undefined>();
  const send = () => {
    setState("sending");
    auth.resendVerification().then(
      () => setState("sent"),
      (error: unknown) => {
        setErrors(formErrorsFrom(error));
        setState("idle");
      },
    );
  };
  if (state === "sent") {
    return (
      <Notice tone="success" title="A new link is on its way" role="status">
        <p>Open it from your email in this browser.</p>
      </Notice>
    );
  }
  return (
    <div>
      {errors ? <FormAlert title="Could not send a new link" errors={errors} /> : null}
      <Button variant="secondary" loading={state === "sending"} onClick={send}>
        Email me a new link
      </Button>
    </div>
  );
}

/**
 * Confirms an address with the token of the verification link (`#token=`). Only the account's own
 * session can use it: a signed-out visitor signs in here first, and the page then confirms.
 */
export function VerifyEmailPage() {
  const page = useAuthPage({ stayWhenSignedIn: true });
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome>({ state: "idle" });
  const [signedIn, setSignedIn] = useState(false);
  useEffect(() => setToken(takeFragmentParams(["token"]).token), []);

  const verify = useCallback((value: string) => {
    setOutcome({ state: "verifying" });
    auth.verifyEmail(value).then(
      () => {
        session.forget();
        setOutcome({ state: "verified" });
      },
      (error: unknown) =>
        setOutcome({
          state: "failed",
          errors: formErrorsFrom(error),
          code: isApiError(error) ? error.code : undefined,
        }),
    );
  }, []);

  const me = page.me;
  const hasSession = Boolean(me) || signedIn;
  useEffect(() => {
    if (token && hasSession && outcome.state === "idle" && me?.user.emailVerified !== true) verify(token);
  }, [token, hasSession, outcome.state, me, verify]);

  const content = () => {
    if (token === undefined || me === undefined) return <p aria-busy="true">Checking…</p>;
    if (outcome.state === "verified" || me?.user.emailVerified) {
      return (
        <Notice tone="success" title="Your email address is verified" role="status">
          <p>
            <a href={DASHBOARD_PATH}>Continue to the dashboard</a>
          </p>
        </Notice>
      );
    }
    if (outcome.state === "verifying") return <p aria-busy="true">Confirming your address…</p>;
    if (outcome.state === "failed") {
      return (
        <>
          <FormAlert title="Could not verify the address" errors={outcome.errors} />
          {outcome.code === "invalid_verification_token" ? (
            <p>The link may have expired, been replaced by a newer one, or belong to another account.</p>
          ) : null}
          <Resend />
        </>
      );
    }
    if (!hasSession) {
      return (
        <WhenLoaded loaded={page.status} what="the sign-in options">
          {(status) => (
            <>
              <p>
                {token
                  ? "Sign in to the account this address belongs to; the address is then confirmed."
                  : "Sign in to verify your email address."}
              </p>
              <SignInForm
                passwordReset={status.passwordReset}
                submitLabel={token ? "Sign in and verify" : "Sign in"}
                onSignedIn={() => setSignedIn(true)}
              />
            </>
          )}
        </WhenLoaded>
      );
    }
    return (
      <>
        <p>Open the verification link from your email in this browser, or ask for a new one.</p>
        <Resend />
      </>
    );
  };

  return <AuthCard title="Verify your email address">{content()}</AuthCard>;
}
