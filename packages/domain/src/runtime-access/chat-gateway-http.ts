import { type IncomingMessage, request } from "node:http";
import type { OpenGateway } from "./target.js";

/** Why a gateway call failed, as the chat service tells its callers (never the gateway's own words). */
export type GatewayFailure = "unreachable" | "timeout" | "refused" | "too_large" | "invalid" | "aborted";

export class GatewayCallError extends Error {
  override readonly name = "GatewayCallError";
  constructor(
    readonly kind: GatewayFailure,
    /** The gateway's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(`agent gateway call failed: ${kind}${status === undefined ? "" : ` (HTTP ${status})`}`);
  }
}

export interface GatewayCall {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** A JSON body, serialised by the caller. */
  body?: string;
  signal: AbortSignal;
  /** Until the gateway's status line and headers arrive. */
  headersTimeoutMs: number;
}

/**
 * One HTTP call to the agent's gateway, to the pinned address `openAgentGateway` checked (the recorded
 * host name, if any, only as `Host`), with Nora's credential added here. Resolves with the response
 * once its headers arrive, whatever the status; the caller reads (and bounds) the body.
 */
export function callGateway(gateway: OpenGateway, call: GatewayCall): Promise<IncomingMessage> {
  const { upstream, credential } = gateway;
  return new Promise((resolve, reject) => {
    if (call.signal.aborted) return reject(new GatewayCallError("aborted"));
    const headers: Record<string, string> = {
      host: upstream.hostHeader,
      authorization: credential.authorization,
      ...call.headers,
    };
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(call.body));
    }
    const req = request({
      host: upstream.address,
      port: upstream.port,
      method: call.method,
      path: call.path,
      headers,
      signal: call.signal,
    });
    const deadline = setTimeout(() => req.destroy(new GatewayCallError("timeout")), call.headersTimeoutMs);
    req.once("response", (res) => {
      clearTimeout(deadline);
      resolve(res);
    });
    req.once("error", (error) => {
      clearTimeout(deadline);
      if (error instanceof GatewayCallError) return reject(error);
      reject(new GatewayCallError(call.signal.aborted ? "aborted" : "unreachable"));
    });
    req.end(call.body);
  });
}

/** A response body read whole, refused past `maxBytes` (the connection is then dropped). */
export async function readBounded(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      res.destroy();
      throw new GatewayCallError("too_large");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON answer with a 2xx status, bounded; anything else is a GatewayCallError. */
export async function gatewayJson(
  gateway: OpenGateway,
  call: GatewayCall,
  maxBytes: number,
): Promise<unknown> {
  const res = await callGateway(gateway, call);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume();
    throw new GatewayCallError("refused", status);
  }
  const text = await readBounded(res, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayCallError("invalid", status);
  }
}
