/**
 * Values from the URL fragment (`#token=...`), where Nora's links carry tokens (browsers never send
 * it to a server), then the address bar is cleaned so the token stays out of history and bookmarks.
 */
export function takeFragmentParams(names: readonly string[]): Record<string, string | null> {
  const hash = window.location.hash;
  const params = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const values = Object.fromEntries(names.map((name) => [name, params.get(name)]));
  if (hash) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  return values;
}

const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function isInvitationToken(token: string | null): token is string {
  return token !== null && INVITATION_TOKEN.test(token);
}

/** The marketing app's signup, with the invitation in its fragment (it reads `invitation` and `email`). */
export function signupWithInvitationUrl(token: string): string {
  return `/signup#invitation=${encodeURIComponent(token)}&email=`;
}
