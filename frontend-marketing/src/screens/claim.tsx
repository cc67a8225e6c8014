"use client";
import { ApiError } from "@nora/api-client";
import { Notice } from "@nora/ui";
import Link from "next/link";
import { type AccountDetails, AccountForm } from "../account-form";
import { auth, bootstrapStatus, session } from "../api";
import { DASHBOARD_PATH } from "../navigation";
import { AuthCard, Leaving, WhenLoaded } from "../page-parts";
import { useAuthPage } from "../use-auth-page";

/** The first account: created, then signed in. A refused sign-in means someone else claimed first. */
async function claim(details: AccountDetails) {
  try {
    const user = await auth.claim(details);
    session.forget();
    return user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError({
        status: 409,
        error: "already_claimed",
        message: "Someone else claimed this server a moment ago. Sign in, or ask them for an invitation.",
        requestId: error.requestId,
      });
    }
    throw error;
  } finally {
    bootstrapStatus.forget();
  }
}

export function ClaimPage() {
  const page = useAuthPage();
  if (page.leaving) return <Leaving />;
  return (
    <AuthCard title="Claim this server">
      <WhenLoaded loaded={page.status} what="the server's status">
        {(status) =>
          status.needsClaim ? (
            <>
              <div className="nora-lead">
                <p>
                  Nobody has an account on this Nora server yet. The account you create now becomes the
                  <strong> platform administrator</strong>: it decides who may sign up, sees every workspace's
                  agents, and manages the encryption keys.
                </p>
                <p>Claim it before you share the address with anyone.</p>
              </div>
              <AccountForm
                status={status}
                submitLabel="Claim this server"
                failureTitle="Could not claim the server"
                create={claim}
                onCreated={() => window.location.assign(DASHBOARD_PATH)}
              />
            </>
          ) : (
            <Notice tone="info" title="This server is already claimed">
              <p>
                Its administrator account exists. <Link href="/login">Sign in</Link>, or{" "}
                <Link href="/signup">create an account</Link> if signups are open to you.
              </p>
            </Notice>
          )
        }
      </WhenLoaded>
    </AuthCard>
  );
}
