import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { ApiError, createAuthApi, InvalidRequestError, isApiError, NetworkError } from "@nora/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { ORIGIN } from "./identity.js";

/**
 * `createAuthApi` (@nora/api-client), the calls the marketing app makes, against the real API: the
 * session lives in the cookie the API sets (a small fetch wrapper keeps it and sends the Origin, as a
 * browser does), and every refusal arrives as an ApiError with the API's code, message, details and
 * request id.
 */
function browserFetch(sent: string[]) {
  let cookie: string | undefined;
  const wrapped: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set("cookie", cookie);
    headers.set("origin", ORIGIN);
    sent.push(`${init?.method ?? "GET"} ${String(input)}`);
    const res = await fetch(input, { ...init, headers });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) cookie = setCookie.split(";")[0]?.endsWith("=") ? undefined : setCookie.split(";")[0];
    return res;
  };
  return wrapped;
}

const failure = <E = ApiError>(call: Promise<unknown>): Promise<E> =>
  call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as E,
  );

const EMAIL = "ana@example.org";
const PASSWORD = "a long passphrase 42";
const WELL_FORMED_TOKEN = "A".repeat(43);

describe("createAuthApi against the real API", () => {
  let app: TestApp;
  const sent: string[] = [];
  let auth: ReturnType<typeof createAuthApi>;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    auth = createAuthApi({ baseUrl: app.url, fetch: browserFetch(sent) });
  });
  afterAll(() => app?.close());

  it("reads the bootstrap status of a fresh server, and says nobody is signed in", async () => {
    const status = await auth.bootstrapStatus();
    expect(status).toMatchObject({
      needsClaim: true,
      signup: { newAccounts: "open" },
      signIn: { password: true, github: false, google: false },
      captcha: null,
      passwordReset: false,
    });
    expect(auth.oauthProviders(status)).toEqual([]);
    expect(await auth.me()).toBeNull();
  });

  it("claims the server: the first account is created, signed in, and platform admin", async () => {
    const user = await auth.claim({ email: EMAIL, password: PASSWORD, displayName: "Ana" });
    expect(user).toMatchObject({ email: EMAIL, role: "admin", displayName: "Ana", emailVerified: true });
    expect(sent.slice(-2)).toEqual([`POST ${app.url}/api/auth/signup`, `POST ${app.url}/api/auth/login`]);
    const me = await auth.me();
    expect(me).toMatchObject({ via: "session", user: { id: user.id } });
    expect((await auth.bootstrapStatus()).needsClaim).toBe(false);
  });

  it("answers an already verified address's resend and an unknown link with the API's codes", async () => {
    const resend = await failure(auth.resendVerification());
    expect(resend).toMatchObject({ status: 409, code: "already_verified" });
    const unknown = await failure(auth.verifyEmail(WELL_FORMED_TOKEN));
    expect(unknown).toBeInstanceOf(ApiError);
    expect(unknown).toMatchObject({ status: 400, code: "invalid_verification_token" });
    expect(unknown.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("signs out (the session ends), and refuses a wrong password with the request id", async () => {
    expect(await auth.signOut()).toBeUndefined();
    expect(await auth.me()).toBeNull();
    const refused = await failure(auth.signIn({ email: EMAIL, password: "not the password" }));
    expect(isApiError(refused)).toBe(true);
    expect(refused).toMatchObject({ status: 401, code: "invalid_credentials" });
    expect(refused.toBody()).toEqual({
      error: "invalid_credentials",
      message: refused.message,
      requestId: refused.requestId,
    });
    expect((await auth.signIn({ email: EMAIL, password: PASSWORD })).email).toBe(EMAIL);
  });

  it("refuses bad input before sending it, its issues named as the form's fields", async () => {
    const before = sent.length;
    const error = await failure<InvalidRequestError>(
      auth.signUp({ email: "not an address", password: "short" }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.issues.map((i) => i.path)).toEqual(["body.email", "body.password"]);
    expect(error.fieldIssues).toEqual([
      expect.objectContaining({ path: "email", message: "Enter a valid email address" }),
      expect.objectContaining({ path: "password", message: "Password must be at least 10 characters" }),
    ]);
    expect(error.toBody()).toMatchObject({ error: "validation_failed", details: error.fieldIssues });
    expect(error.toBody()).not.toHaveProperty("requestId");
    const malformed = await failure(auth.resetPassword({ token: "short", newPassword: PASSWORD }));
    expect(malformed).toBeInstanceOf(InvalidRequestError);
    expect(sent.length).toBe(before);
  });

  it("passes the API's refusals of signup and password reset through with their codes", async () => {
    // The default signup mode is `invite`: a claimed server takes no stranger.
    const closed = await failure(auth.signUp({ email: "bo@example.org", password: PASSWORD }));
    expect(closed).toMatchObject({ status: 403, code: "signup_invitation_required" });
    const noMail = await failure(auth.requestPasswordReset({ email: EMAIL }));
    expect(noMail).toMatchObject({ status: 503, code: "email_delivery_unavailable" });
    const unknown = await failure(auth.resetPassword({ token: WELL_FORMED_TOKEN, newPassword: PASSWORD }));
    expect(unknown).toMatchObject({ status: 400, code: "invalid_reset_token" });
  });

  it("builds OAuth start URLs only for the enabled providers; a disabled one is a 404", async () => {
    const status = await auth.bootstrapStatus();
    expect(auth.oauthProviders({ signIn: { ...status.signIn, github: true } })).toEqual([
      { provider: "github", label: "GitHub", startUrl: `${app.url}/api/auth/oauth/github/start` },
    ]);
    const relative = createAuthApi({ baseUrl: "" });
    expect(relative.oauthStartUrl("google")).toBe("/api/auth/oauth/google/start");
    const res = await fetch(auth.oauthStartUrl("github"), { redirect: "manual" });
    expect(res.status).toBe(404);
  });

  it("turns no answer at all into a NetworkError (status 0), not a TypeError", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const offline = createAuthApi({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await failure(offline.bootstrapStatus());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status: 0, code: "network_error", requestId: null });
    expect(error.cause).toBeInstanceOf(Error);
  });
});
