/** The providers Nora can sign in with; each is enabled only when its client id and secret are set. */
export const PROVIDER_NAMES = ["github", "google"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const isProviderName = (value: string): value is ProviderName =>
  (PROVIDER_NAMES as readonly string[]).includes(value);

/**
 * Why a sign-in attempt ended. The code is what the browser sees in `/login?error=<code>`, so it
 * names the class of failure and nothing more (never a provider message, token or code).
 */
export type OAuthErrorCode =
  | "oauth_denied"
  | "oauth_state_invalid"
  | "oauth_provider_error"
  | "oauth_email_unverified"
  /** An account with this address exists but never proved it: sign in with the password and link. */
  | "oauth_link_required"
  /** Linking from settings: the provider identity already belongs to another Nora account. */
  | "oauth_identity_in_use"
  /** Linking from settings: the callback did not come with the session that started the link. */
  | "oauth_link_session_mismatch"
  | "oauth_account_disabled"
  | "oauth_signup_closed"
  | "oauth_signup_invitation_required"
  | "oauth_failed";

export class OAuthFlowError extends Error {
  /** Which flow failed: a sign-in lands on the login page, a link on the account settings page. */
  readonly flow: "sign_in" | "link";

  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    options?: { cause?: unknown; flow?: "sign_in" | "link" },
  ) {
    super(message, options);
    this.name = "OAuthFlowError";
    this.flow = options?.flow ?? "sign_in";
  }
}

/** Who the provider says signed in. `emailVerified` is the provider's word, never assumed. */
export interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
}

export interface AuthorizationParams {
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** OIDC providers only. */
  nonce?: string;
}

export interface CallbackParams {
  /** The redirect URI with the query string the provider sent back. */
  currentUrl: URL;
  state: string;
  codeVerifier: string;
  nonce?: string;
}

export interface OAuthProvider {
  readonly name: ProviderName;
  /** Whether the flow carries an OIDC nonce (checked against the ID token). */
  readonly usesNonce: boolean;
  authorizationUrl(params: AuthorizationParams): Promise<URL>;
  /** Exchanges the code (with the PKCE verifier) and reads the identity. Throws on any provider failure. */
  identify(params: CallbackParams): Promise<ProviderIdentity>;
}

/** Time allowed for each request to a provider. */
export const PROVIDER_TIMEOUT_MS = 10_000;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Provider endpoints must be https. Plain http is accepted only for a loopback host (127.0.0.1,
 * localhost, ::1): local test providers. Anything else is a configuration error, raised when the
 * app is built so a misconfigured server does not boot.
 */
export function allowsInsecureHttp(url: string, variable: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return false;
  if (parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname)) return true;
  throw new Error(`${variable} must be an https URL (plain http is accepted only for localhost/127.0.0.1)`);
}

/** A provider-reported flag that may arrive as a boolean or (in some providers' JSON) as a string. */
export const isTrue = (value: unknown): boolean => value === true || value === "true";
