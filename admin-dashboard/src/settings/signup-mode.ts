import type { SignupMode } from "@nora/api-contract";

/** The form's choice: a stored mode, or "default" (drop the stored value: SIGNUP_MODE applies). */
export type SignupChoice = SignupMode | "default";

export const SIGNUP_CHOICES: ReadonlyArray<{ value: SignupChoice; label: string; hint: string }> = [
  { value: "open", label: "Open", hint: "Anyone who reaches the server can create an account." },
  { value: "invite", label: "Invite only", hint: "Only people with a workspace invitation can sign up." },
  { value: "closed", label: "Closed", hint: "No new accounts; existing users still sign in." },
  { value: "default", label: "Server default", hint: "Whatever SIGNUP_MODE in the environment says." },
];

/** The body of PUT /api/admin/settings for a choice. */
export function settingsBody(choice: string): { signupMode: SignupMode | null } {
  if (choice === "open" || choice === "invite" || choice === "closed") return { signupMode: choice };
  if (choice === "default") return { signupMode: null };
  throw new Error("Choose a signup mode");
}
