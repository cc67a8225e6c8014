"use client";
import { Button, FormAlert, type FormErrors, formErrorsFrom, Notice } from "@nora/ui";
import Link from "next/link";
import { useState } from "react";
import { auth, session } from "../api";
import { AuthCard } from "../page-parts";
import { useAuthPage } from "../use-auth-page";

/**
 * Sign-out is a button, not a page load: a link from elsewhere cannot sign anyone out. The API revokes
 * the session and clears the cookie.
 */
export function LogoutPage() {
  const page = useAuthPage({ stayWhenSignedIn: true, needsStatus: false });
  const [state, setState] = useState<"idle" | "signing-out" | "done">("idle");
  const [errors, setErrors] = useState<FormErrors | undefined>();
  const signOut = () => {
    setState("signing-out");
    auth.signOut().then(
      () => {
        session.forget();
        setState("done");
      },
      (error: unknown) => {
        setErrors(formErrorsFrom(error));
        setState("idle");
      },
    );
  };
  const signedOut = state === "done" || page.me === null;
  return (
    <AuthCard title="Sign out">
      {page.me === undefined && state !== "done" ? (
        <p aria-busy="true">Checking your session…</p>
      ) : signedOut ? (
        <Notice tone="success" title="You are signed out" role="status">
          <p>
            <Link href="/login">Sign in again</Link>
          </p>
        </Notice>
      ) : (
        <>
          {errors ? <FormAlert title="Could not sign out" errors={errors} /> : null}
          <p>
            Signed in as <strong>{page.me?.user.email}</strong>.
          </p>
          <Button onClick={signOut} loading={state === "signing-out"}>
            Sign out
          </Button>
        </>
      )}
    </AuthCard>
  );
}
