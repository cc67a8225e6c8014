import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Keyring, loadConfig } from "@nora/core";
import { testConfig } from "@nora/core/testing";
import { SMTP_INSECURE_AUTH_WARNING } from "@nora/domain/integrations/catalog";
import { createIntegrationService } from "@nora/domain/integrations/service";
import { createMailer, createVerificationMailer } from "@nora/domain/invitations/mailer";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";
import { carriesSecret, type RecordingProxy, startRecordingProxy } from "./recording-proxy.js";

/**
 * SMTP logins travel only over TLS (issue 8, item 7), for the platform mailer (SMTP_*) and the SMTP
 * integration kind. Real SMTP servers (smtp-server) on 127.0.0.1: one offering no STARTTLS (behind a
 * recording relay, so the test sees every command the client sent), one offering STARTTLS with a
 * self-signed certificate this test generates with openssl and trusts explicitly where it says so.
 */
const run = promisify(execFile);
const PASSWORD = `smtp-pw-${randomBytes(8).toString("hex")}`;

interface Server {
  port: number;
  auths: string[];
  mails: number;
  close(): Promise<void>;
}

async function smtpServer(options: SMTPServerOptions): Promise<Server> {
  const state = { auths: [] as string[], mails: 0 };
  const server = new SMTPServer({
    authOptional: false,
    ...options,
    onAuth(auth, _session, callback) {
      state.auths.push(auth.username ?? "");
      if (auth.username === "nora" && auth.password === PASSWORD) callback(null, { user: "nora" });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => {
        state.mails += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    get auths() {
      return state.auths;
    },
    get mails() {
      return state.mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("SMTP logins need TLS", () => {
  let dir: string;
  let cert: string;
  let plain: Server;
  let plainRelay: RecordingProxy;
  let starttls: Server;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nora-smtp-tls-"));
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    cert = await readFile(join(dir, "cert.pem"), "utf8");
    plain = await smtpServer({ disabledCommands: ["STARTTLS"], allowInsecureAuth: true });
    plainRelay = await startRecordingProxy(plain.port);
    starttls = await smtpServer({ key: await readFile(join(dir, "key.pem")), cert });
  });
  afterAll(async () => {
    await plainRelay.close();
    await plain.close();
    await starttls.close();
    await rm(dir, { recursive: true, force: true });
  });

  const mail = {
    to: "bo@example.org",
    workspaceName: "Acme",
    inviterEmail: "ana@example.org",
    acceptUrl: "https://nora.example.org/app/invitations/accept#token=abc",
    expiresAt: new Date(),
  };
  const smtpEnv = (port: number, extra: Record<string, string> = {}) => ({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(port),
    SMTP_USER: "nora",
    SMTP_PASSWORD: PASSWORD,
    SMTP_FROM: "nora@example.org",
    ...extra,
  });
  /** Nothing that looks like a login reached the server without STARTTLS since `from` bytes. */
  const noLoginSince = (from: number) => {
    const sent = plainRelay.raw().slice(from);
    expect(sent).toMatch(/EHLO/);
    expect(sent).not.toMatch(/\bAUTH\b/i);
    expect(carriesSecret(sent, PASSWORD)).toBe(false);
  };

  describe("the platform mailer (SMTP_*)", () => {
    it("never sends AUTH to a server without STARTTLS", async () => {
      const from = plainRelay.raw().length;
      const mailer = createMailer(testConfig(smtpEnv(plainRelay.port)));
      await expect(mailer?.(mail)).rejects.toMatchObject({ code: "ETLS" });
      noLoginSince(from);
      expect(plain.auths).toEqual([]);
      expect(plain.mails).toBe(0);
    });

    it("sends no verification mail either: every platform mail shares the one TLS policy", async () => {
      const from = plainRelay.raw().length;
      const verify = createVerificationMailer(testConfig(smtpEnv(plainRelay.port)));
      const message = {
        to: "bo@example.org",
        verifyUrl: "https://nora.test/verify-email#token=abc",
        expiresAt: new Date(),
      };
      await expect(verify?.(message)).rejects.toMatchObject({ code: "ETLS" });
      noLoginSince(from);
      expect(plain.auths).toEqual([]);
    });

    it("logs in over STARTTLS, verifying the certificate (trusted here explicitly)", async () => {
      await expect(createMailer(testConfig(smtpEnv(starttls.port)))?.(mail)).rejects.toThrow();
      expect(starttls.auths).toEqual([]);
      await createMailer(testConfig(smtpEnv(starttls.port)), { ca: [cert] })?.(mail);
      expect(starttls.auths).toEqual(["nora"]);
      expect(starttls.mails).toBe(1);
    });

    it("sends a clear-text login only with SMTP_ALLOW_INSECURE_AUTH=true, warned at boot", async () => {
      const env = smtpEnv(plainRelay.port, { SMTP_ALLOW_INSECURE_AUTH: "true" });
      expect(loadConfig(env).warnings.join("\n")).toMatch(/^INSECURE: SMTP_ALLOW_INSECURE_AUTH=true/m);
      expect(loadConfig(smtpEnv(plainRelay.port)).warnings.join("\n")).not.toMatch(
        /SMTP_ALLOW_INSECURE_AUTH/,
      );
      await createMailer(testConfig(env))?.(mail);
      expect(plain.auths).toEqual(["nora"]);
      expect(plain.mails).toBe(1);
    });
  });

  describe("the SMTP integration kind", () => {
    let app: TestApp;
    let cookie: string;
    let ownerId: string;
    let workspaceId: string;
    beforeAll(async () => {
      app = await startTestApp({
        env: {
          ...NO_RATE_LIMITS,
          ENCRYPTION_KEY: randomBytes(32).toString("hex"),
          NORA_OUTBOUND_ALLOWED_CIDRS: "127.0.0.1/32",
        },
      });
      const owner = await userWithSession(app);
      cookie = owner.cookie;
      ownerId = owner.id;
      workspaceId = await createWorkspace(app, cookie);
    });
    afterAll(() => app.close());

    const path = (suffix = "") => `/api/workspaces/${workspaceId}/integrations${suffix}`;
    const config = (port: number) => ({ host: "127.0.0.1", port, user: "nora", from: "nora@example.org" });

    it("reports a server without STARTTLS clearly and never sends it the login", async () => {
      const from = plainRelay.raw().length;
      const auths = plain.auths.length;
      const created = await call(app, { cookie }, "POST", path(), {
        kind: "smtp",
        name: "No TLS",
        config: config(plainRelay.port),
        credentials: { password: PASSWORD },
      });
      expect(created.status).toBe(201);
      expect(created.body.integration).toMatchObject({ warnings: [] });
      const id = (created.body.integration as { id: string }).id;
      const tested = await call(app, { cookie }, "POST", path(`/${id}/test`));
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: false, error: "tls_required" });
      expect(tested.body.message).toMatch(/offers no STARTTLS/);
      // No server reply, library message or stack in the answer.
      expect(tested.text).not.toMatch(/command not recognized|Error upgrading|nodemailer|\bat \S+\.js/i);
      noLoginSince(from);
      expect(plain.auths.length).toBe(auths);
    });

    it("allows a clear-text login only when the integration says so, with a warning in every answer", async () => {
      const created = await call(app, { cookie }, "POST", path(), {
        kind: "smtp",
        name: "Insecure on purpose",
        config: config(plainRelay.port),
        credentials: { password: PASSWORD },
      });
      const id = (created.body.integration as { id: string }).id;
      // The switch changes how the password travels: like a destination, it needs the password again.
      const patched = await call(app, { cookie }, "PATCH", path(`/${id}`), {
        config: { allowInsecureAuth: true },
        credentials: { password: PASSWORD },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.integration).toMatchObject({
        config: { allowInsecureAuth: true },
        credentials: { password: { set: true } },
        warnings: [SMTP_INSECURE_AUTH_WARNING],
      });
      const read = await call(app, { cookie }, "GET", path(`/${id}`));
      expect(read.body.integration).toMatchObject({ warnings: [SMTP_INSECURE_AUTH_WARNING] });
      const auths = plain.auths.length;
      expect((await call(app, { cookie }, "POST", path(`/${id}/test`))).body).toMatchObject({
        ok: true,
        account: "nora",
      });
      expect(plain.auths.length).toBe(auths + 1);
    });

    it("logs in over STARTTLS, and refuses a certificate nobody trusted", async () => {
      const created = await call(app, { cookie }, "POST", path(), {
        kind: "smtp",
        name: "STARTTLS",
        config: config(starttls.port),
        credentials: { password: PASSWORD },
      });
      const id = (created.body.integration as { id: string }).id;
      const auths = starttls.auths.length;
      const untrusted = await call(app, { cookie }, "POST", path(`/${id}/test`));
      expect(untrusted.body).toMatchObject({ ok: false, error: "tls_failed" });
      expect(starttls.auths.length).toBe(auths);

      const trusting = createIntegrationService({
        pool: app.db.pool,
        keyring: Keyring.fromConfig(app.config),
        outbound: { policy: { allowedCidrs: ["127.0.0.1/32"] }, trustedCa: [cert] },
      });
      const ctx = { actor: { type: "user" as const, userId: ownerId }, requestId: "smtp-tls-test" };
      expect(await trusting.test(workspaceId, id, ctx)).toMatchObject({ ok: true, account: "nora" });
      expect(starttls.auths.length).toBe(auths + 1);
    });
  });
});
