import type { SignupMode } from "@nora/api-contract";
import { AppError, badRequest, type Config, type Queryable } from "@nora/core";
import {
  hasPendingInvitationFor,
  type InvitationRow,
  invitationStatus,
  lockInvitationByToken,
} from "../invitations/service.js";
import { effectiveSignupMode } from "../platform-settings/service.js";
import { OAuthFlowError } from "./oauth/providers/types.js";
import { countUsers, lockClaim } from "./repo.js";

/**
 * The one place that decides whether a new account may be created. Every path that creates a user
 * asks it, inside the transaction that inserts the user:
 * - `password`: the signup form;
 * - `invitation`: the signup form with an invitation token (accepting an invitation as a new user);
 * - `oauth`: a first sign-in with a provider, for an address the provider verified.
 *
 * While the server is unclaimed, the first account is always allowed (it becomes the admin). After
 * that the signup mode decides: `open` admits anyone; `invite` admits a password signup only with a
 * valid pending invitation for that address (its token proves the invitation reached the person, which
 * a bare address would not), and an OAuth account only for an address with a pending invitation (the
 * provider verified the address); `closed` admits no one. Existing users sign in in every mode.
 */
export type NewAccount =
  | { path: "password"; email: string }
  | { path: "invitation"; email: string; invitationToken: string }
  | { path: "oauth"; email: string };

export type SignupRefusal =
  | "signup_closed"
  | "signup_invitation_required"
  | "invalid_invitation"
  | "invitation_email_mismatch";

export type SignupDecision =
  | { allowed: true; claim: boolean; invitation?: InvitationRow }
  | { allowed: false; reason: SignupRefusal };

export async function decideSignup(
  db: Queryable,
  config: Config,
  attempt: NewAccount,
): Promise<SignupDecision> {
  await lockClaim(db);
  if ((await countUsers(db)) === 0) return { allowed: true, claim: true };
  const mode = (await effectiveSignupMode(db, config)).value;
  if (mode === "closed") return { allowed: false, reason: "signup_closed" };

  let invitation: InvitationRow | undefined;
  if (attempt.path === "invitation") {
    invitation = await lockInvitationByToken(db, config, attempt.invitationToken);
    if (!invitation || invitationStatus(invitation) !== "pending") {
      return { allowed: false, reason: "invalid_invitation" };
    }
    if (invitation.email !== attempt.email) return { allowed: false, reason: "invitation_email_mismatch" };
  }
  if (mode === "invite") {
    const invited =
      attempt.path === "invitation" ||
      (attempt.path === "oauth" && (await hasPendingInvitationFor(db, attempt.email)));
    if (!invited) return { allowed: false, reason: "signup_invitation_required" };
  }
  return { allowed: true, claim: false, ...(invitation ? { invitation } : {}) };
}

const REFUSALS: Record<SignupRefusal, () => AppError> = {
  signup_closed: () => new AppError(403, "signup_closed", "This server does not accept new accounts"),
  signup_invitation_required: () =>
    new AppError(
      403,
      "signup_invitation_required",
      "New accounts need an invitation: open the invitation link you were sent",
    ),
  invalid_invitation: () =>
    badRequest("invalid_invitation", "This invitation is invalid, expired or already used"),
  invitation_email_mismatch: () =>
    new AppError(403, "invitation_email_mismatch", "This invitation was sent to another email address"),
};

/** For the signup form: the decision, or the refusal as an HTTP error. */
export async function admitSignup(db: Queryable, config: Config, attempt: NewAccount) {
  const decision = await decideSignup(db, config, attempt);
  if (!decision.allowed) throw REFUSALS[decision.reason]();
  return decision;
}

/** For an OAuth first sign-in: the refusal lands on the login page as `oauth_signup_*`. */
export async function admitOAuthSignup(db: Queryable, config: Config, email: string): Promise<void> {
  const decision = await decideSignup(db, config, { path: "oauth", email });
  if (decision.allowed) return;
  const code =
    decision.reason === "signup_closed" ? "oauth_signup_closed" : "oauth_signup_invitation_required";
  throw new OAuthFlowError(code, `no new account: ${decision.reason}`);
}

export type SignupAvailability = "open" | "invitation" | "closed";

/**
 * What bootstrap-status tells the UI about creating an account, by the same rules as `decideSignup`:
 * `open` (the signup form and OAuth create accounts; always so while unclaimed), `invitation` (only
 * through an invitation link, or OAuth for an invited address) or `closed`.
 */
export async function describeSignup(db: Queryable, config: Config) {
  const needsClaim = (await countUsers(db)) === 0;
  const mode: SignupMode = (await effectiveSignupMode(db, config)).value;
  const availability: SignupAvailability = needsClaim
    ? "open"
    : mode === "open"
      ? "open"
      : mode === "invite"
        ? "invitation"
        : "closed";
  return { needsClaim, signup: { mode, newAccounts: availability } };
}
