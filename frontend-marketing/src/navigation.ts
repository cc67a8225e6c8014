/** Where the dashboard lives (its Next.js basePath behind nginx). */
export const DASHBOARD_PATH = "/app";

/**
 * Where to go after signing in: `next` when it is a path of the dashboard or the admin app on this
 * origin, else the dashboard. Anything else (another origin, `//host`, a backslash trick, a marketing
 * page) is ignored, so a crafted link cannot send a fresh session elsewhere.
 */
export function nextPath(next: string | null | undefined): string {
  if (!next || next.length > 2048) return DASHBOARD_PATH;
  if (!/^\/(app|admin)(?:[/?#]|$)/.test(next)) return DASHBOARD_PATH;
  if (/[\\\s]/.test(next) || next.startsWith("//")) return DASHBOARD_PATH;
  return next;
}

/**
 * A value from the URL fragment (`#token=...&email=...`), where Nora's links carry tokens: browsers
 * never send the fragment to a server, so it reaches no access log or Referer.
 */
export function fragmentParam(hash: string, name: string): string | null {
  return new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash).get(name);
}

/** The fragment read, the address bar is cleaned: the token stays out of the history and bookmarks. */
export function takeFragmentParams(names: readonly string[]): Record<string, string | null> {
  const values = Object.fromEntries(names.map((name) => [name, fragmentParam(window.location.hash, name)]));
  if (window.location.hash) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return values;
}

/** Why an OAuth sign-in came back to /login (`?error=<code>`), in words. */
export const OAUTH_ERRORS: Record<string, string> = {
  oauth_denied: "The sign-in was cancelled at the provider.",
  oauth_state_invalid: "The sign-in took too long or was started in another browser; please try again.",
  oauth_provider_error: "The provider could not complete the sign-in; please try again.",
  oauth_email_unverified: "The provider has not verified your email address, so it cannot sign you in.",
  oauth_link_required:
    "An account with this address already exists. Sign in with its password, then link the provider in your account settings.",
  oauth_account_disabled: "This account is disabled. Ask the platform administrator.",
  oauth_signup_closed: "This server is not accepting new accounts.",
  oauth_signup_invitation_required:
    "New accounts here need an invitation. Ask a workspace admin to invite your address, then sign in again.",
  oauth_failed: "The sign-in did not work; please try again.",
};

export function oauthErrorMessage(code: string | null): string | undefined {
  if (!code) return undefined;
  return OAUTH_ERRORS[code] ?? OAUTH_ERRORS.oauth_failed;
}
