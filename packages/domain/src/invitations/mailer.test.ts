import type { AddressInfo } from "node:net";
import { testConfig } from "@nora/core/testing";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "./mailer.js";

/** A real SMTP server (the smtp-server package) on loopback receives what the mailer sends. */
describe("invitation mailer over SMTP", () => {
  const received: Array<{ from: string; to: string[]; data: string; user?: string }> = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      onAuth(auth, _session, callback) {
        if (auth.username === "mailer" && auth.password === "smtp-secret")
          callback(null, { user: auth.username });
        else callback(new Error("Invalid username or password"));
      },
      onData(stream, session, callback) {
        let data = "";
        stream.on("data", (chunk: Buffer) => {
          data += chunk.toString();
        });
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            ...(typeof session.user === "string" ? { user: session.user } : {}),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (password: string) =>
    testConfig({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(port),
      SMTP_USER: "mailer",
      SMTP_PASSWORD: password,
      SMTP_FROM: "nora@example.org",
      // This server offers no STARTTLS; the login goes in clear only because it is allowed explicitly
      // (backend-api/test/smtp-tls.test.ts covers the refusal without it, and STARTTLS).
      SMTP_ALLOW_INSECURE_AUTH: "true",
    });

  it("is off without SMTP_HOST", () => {
    expect(createMailer(testConfig())).toBeUndefined();
  });

  it("authenticates and delivers the invitation with its accept link", async () => {
    const mailer = createMailer(config("smtp-secret"));
    await mailer?.({
      to: "bo@example.org",
      workspaceName: "Acme",
      inviterEmail: "ana@example.org",
      acceptUrl: "https://nora.example.org/app/invitations/accept#token=abc",
      expiresAt: new Date("2026-12-01T00:00:00Z"),
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: "nora@example.org", to: ["bo@example.org"], user: "mailer" });
    expect(received[0]?.data).toContain("Subject: You are invited to Acme on Nora");
    // The body is quoted-printable: undo soft line breaks and =XX escapes before reading it.
    const body = (received[0]?.data ?? "")
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    expect(body).toContain("https://nora.example.org/app/invitations/accept#token=abc");
  });

  it("fails when the server refuses the credentials", async () => {
    const mailer = createMailer(config("wrong"));
    await expect(
      mailer?.({
        to: "bo@example.org",
        workspaceName: "Acme",
        inviterEmail: "ana@example.org",
        acceptUrl: "https://x/#token=abc",
        expiresAt: new Date(),
      }),
    ).rejects.toThrow();
  });
});
