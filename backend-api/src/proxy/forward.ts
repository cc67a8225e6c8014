import {
  Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { AppError } from "@nora/core";
import type { Request, Response } from "express";
import { passedResponseHeaders, proxyContentSecurityPolicy, SANDBOXED_PROXY_CSP } from "./headers.js";
import { type PathMap, publicLocation } from "./paths.js";

export interface ProxyLimits {
  requestMaxBytes: number;
  responseMaxBytes: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Agents' web UIs on: their CSP (scripts from this origin); off: sandboxed. */
  webUis: boolean;
}

export interface ForwardTarget {
  /** The pinned address literal and port (never a name: no lookup happens here). */
  address: string;
  port: number;
  hostHeader: string;
  /** The upstream request target (path and query). */
  path: string;
  headers: OutgoingHttpHeaders;
  map: PathMap;
}

const unreachable = () =>
  new AppError(502, "gateway_unreachable", "The agent's gateway could not be reached");
const timedOut = () => new AppError(504, "gateway_timeout", "The agent's gateway did not answer in time");

/**
 * Kept-alive connections, one pool per pinned upstream (address and port): a connection is only ever
 * reused for the same agent server, each request carrying its own headers. A connection that broke off
 * mid-answer, or whose client went away, is destroyed, never pooled. Bounded: past 256 upstreams the
 * oldest pool is closed.
 */
const pools = new Map<string, Agent>();
const POOLS_MAX = 256;

function poolFor(address: string, port: number): Agent {
  const key = `${address}|${port}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    if (pools.size >= POOLS_MAX) {
      const [oldest, agent] = pools.entries().next().value as [string, Agent];
      agent.destroy();
      pools.delete(oldest);
    }
    pool = new Agent({
      keepAlive: true,
      maxSockets: 128,
      maxFreeSockets: 16,
      timeout: 30_000,
      scheduling: "lifo",
    });
    pools.set(key, pool);
  }
  return pool;
}

/** The request body's declared length, or null when chunked or absent. */
export function declaredLength(req: Request): number | null {
  const length = req.headers["content-length"];
  return length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : null;
}

export function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}

/**
 * Sends one request to the upstream and streams its answer back, both ways without holding a body:
 * `node:http` with the client's body piped in as it arrives and the upstream's piped out. Refusals
 * before anything was sent reject with an AppError (the error handler answers with the request id);
 * once the answer has started, a failure cuts it short. Redirects are passed, never followed.
 */
export function forward(
  req: Request,
  res: Response,
  target: ForwardTarget,
  limits: ProxyLimits,
  /** Logs a failure (a warning) with the request's context; built by the caller only when it logs. */
  warn: (detail: Record<string, unknown>, message: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let upstreamReq: ClientRequest | undefined;
    const fail = (error: AppError, detail: Record<string, unknown> = {}) => {
      if (settled) return;
      settled = true;
      upstreamReq?.destroy();
      warn({ code: error.code, ...detail }, "gateway proxy: upstream request failed");
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else {
        if (error.status === 413) res.setHeader("Connection", "close");
        reject(error);
      }
    };
    const done = () => {
      if (settled) return;
      settled = true;
      resolve();
    };

    const declared = declaredLength(req);
    if (declared !== null && declared > limits.requestMaxBytes) {
      fail(
        new AppError(413, "payload_too_large", "The request body is larger than the gateway proxy allows"),
      );
      return;
    }

    const outgoing = httpRequest({
      host: target.address,
      port: target.port,
      method: req.method,
      path: target.path,
      headers: target.headers,
      agent: poolFor(target.address, target.port),
      setHost: false,
    });
    upstreamReq = outgoing;

    // Connect timeout: from the socket's creation to its connection; then the idle timeout takes over.
    const connectTimer = setTimeout(() => fail(timedOut(), { phase: "connect" }), limits.connectTimeoutMs);
    outgoing.on("socket", (socket) => {
      if (socket.connecting) socket.once("connect", () => clearTimeout(connectTimer));
      else clearTimeout(connectTimer);
    });
    // Inactivity on this request's socket, removed again when the request is done (pooled sockets).
    outgoing.setTimeout(limits.idleTimeoutMs, () => fail(timedOut(), { phase: "idle" }));
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      fail(unreachable(), { cause: error.code ?? error.name });
    });

    // A client that goes away aborts the upstream call.
    res.on("close", () => {
      clearTimeout(connectTimer);
      if (!res.writableFinished) {
        outgoing.destroy();
        done();
      }
    });

    outgoing.on("response", (answer: IncomingMessage) => {
      clearTimeout(connectTimer);
      relay(answer);
    });

    sendBody();

    function sendBody(): void {
      if (!hasBody(req)) {
        outgoing.end();
        return;
      }
      let received = 0;
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.requestMaxBytes) {
          req.pause();
          fail(
            new AppError(
              413,
              "payload_too_large",
              "The request body is larger than the gateway proxy allows",
            ),
          );
          return;
        }
        if (!outgoing.write(chunk)) {
          req.pause();
          outgoing.once("drain", () => req.resume());
        }
      });
      req.on("end", () => {
        if (!settled) outgoing.end();
      });
      req.on("error", () => fail(unreachable(), { phase: "client body" }));
    }

    function relay(answer: IncomingMessage): void {
      const status = answer.statusCode ?? 502;
      const length = answer.headers["content-length"];
      const answerLength = length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : null;
      if (answerLength !== null && answerLength > limits.responseMaxBytes) {
        answer.resume();
        fail(
          new AppError(502, "gateway_response_too_large", "The agent's gateway answered more than allowed"),
        );
        return;
      }
      const headers: Record<string, string | string[]> = passedResponseHeaders(answer.headers);
      const location = answer.headers.location;
      if (location !== undefined) {
        const rewritten = publicLocation(location, target, target.path.split("?")[0] as string, target.map);
        if (rewritten === null && status >= 300 && status < 400) {
          answer.resume();
          fail(new AppError(502, "gateway_redirect_refused", "The agent's gateway redirected elsewhere"));
          return;
        }
        if (rewritten !== null) headers.location = rewritten;
      }
      if (answerLength !== null) headers["content-length"] = String(answerLength);
      res.status(status);
      res.setHeaders(new Map(Object.entries(headers)));
      if (limits.webUis) {
        res.setHeader("Content-Security-Policy", proxyContentSecurityPolicy(answer.headers));
        res.setHeader("X-Frame-Options", "SAMEORIGIN");
      } else {
        res.setHeader("Content-Security-Policy", SANDBOXED_PROXY_CSP);
        res.setHeader("X-Frame-Options", "DENY");
      }

      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        sent += chunk.length;
        if (sent > limits.responseMaxBytes) {
          warn({ code: "gateway_response_too_large" }, "gateway proxy: answer cut at the cap");
          answer.destroy();
          fail(
            new AppError(502, "gateway_response_too_large", "The agent's gateway answered more than allowed"),
          );
          return;
        }
        if (!res.write(chunk)) {
          answer.pause();
          res.once("drain", () => answer.resume());
        }
      });
      answer.on("end", () => {
        if (settled) return;
        res.end();
        done();
      });
      answer.on("error", () => fail(unreachable(), { phase: "answer" }));
      answer.on("aborted", () => fail(unreachable(), { phase: "answer aborted" }));
    }
  });
}
