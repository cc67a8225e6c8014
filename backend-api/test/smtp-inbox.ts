import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Received {
  to: string[];
  body: string;
}

/** Undoes quoted-printable soft breaks and escapes. */
const decode = (data: string) =>
  data
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * A real SMTP server (the smtp-server package) on loopback that keeps every mail the API sends, for
 * the tests of mailed links (verification, password reset).
 */
export class SmtpInbox {
  readonly mails: Received[] = [];
  #server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<void> {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      onData: (stream, session, callback) => {
        let data = "";
        stream.on("data", (chunk: Buffer) => {
          data += chunk.toString();
        });
        stream.on("end", () => {
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body: decode(data) });
          callback();
        });
      },
    });
    const server = this.#server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.port = (server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** The environment that points the API at this server. */
  env(): Record<string, string> {
    return { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(this.port), SMTP_FROM: "nora@example.org" };
  }

  to(address: string): Received[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  /** Waits until `count` mails to the address have arrived. */
  async waitFor(address: string, count = 1): Promise<Received[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= count) return mails;
      if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
