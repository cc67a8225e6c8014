import type { Request } from "express";

declare module "http" {
  interface IncomingMessage {
    /** Correlation id: echoed as X-Request-Id, present in every log line and error body. */
    id: string;
  }
}

/** Who and where a request came from, for audit records and sessions. */
export function contextOf(req: Request): { requestId: string; ip?: string; userAgent?: string } {
  const ip = req.ip?.replace(/^::ffff:/, "");
  const userAgent = req.get("user-agent");
  return { requestId: req.id, ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
}
