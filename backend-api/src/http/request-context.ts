import type { Request } from "express";

declare module "http" {
  interface IncomingMessage {
    /** Correlation id: echoed as X-Request-Id, present in every log line and error body. */
    id: string;
  }
}

export function requestIdOf(req: Request): string {
  return req.id;
}
