import net, { type AddressInfo } from "node:net";

/**
 * A TCP relay on 127.0.0.1 in front of a local listener the test started, recording every byte the
 * client sends (request line, headers, body, SMTP commands), so a test can search the whole raw
 * request for a secret.
 */
export interface RecordingProxy {
  port: number;
  url: string;
  /** Everything clients sent, as latin1 text. */
  raw(): string;
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    raw: () => Buffer.concat(chunks).toString("latin1"),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Whether raw bytes carry a secret: verbatim, URL-encoded, or inside any base64 token (SMTP AUTH PLAIN
 * and LOGIN, HTTP Basic).
 */
export function carriesSecret(raw: string, secret: string): boolean {
  if (raw.includes(secret) || raw.includes(encodeURIComponent(secret))) return true;
  for (const token of raw.match(/[A-Za-z0-9+/]{8,}={0,2}/g) ?? []) {
    if (Buffer.from(token, "base64").toString("latin1").includes(secret)) return true;
  }
  return false;
}
