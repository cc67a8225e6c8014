import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { forbiddenReason, type OutboundPolicy } from "./address-policy.js";
import { allowlistOf, checkHost, hostOfUrl, hostProblem, parseOutboundUrl } from "./destination.js";
import { OutboundError } from "./errors.js";

export { checkHost, checkUrl, parseHost, parseOutboundUrl } from "./destination.js";
export { OutboundError, type OutboundErrorCode } from "./errors.js";

/**
 * The one way Nora calls a URL that an operator typed (LLM base URLs, integration endpoints, webhooks).
 *
 * - The host name is resolved (every address) and the call is refused when any address is not public,
 *   unless the operator allowlisted it (OutboundPolicy).
 * - The connection is pinned to the checked address (a custom `lookup`), so a DNS answer that changes
 *   between check and connect (rebinding) cannot steer it elsewhere. TLS still verifies the host name.
 * - Redirects are never followed: a 3xx is reported, never chased to a host nobody checked.
 * - One deadline covers resolution, connection, and reading the (size-capped) response.
 */

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export interface OutboundOptions {
  policy: OutboundPolicy;
  /** Injected in tests; defaults to the system resolver (getaddrinfo, like every other client). */
  resolver?: Resolver;
  /** CA certificates (PEM) to trust instead of the system's; only tests against a local TLS server set it. */
  trustedCa?: string[];
}

export interface CheckedDestination {
  hostname: string;
  address: string;
  family: 4 | 6;
}

/**
 * The check that needs no DNS, when a URL is saved: the same parser and policy every call applies
 * before it resolves anything (destination.ts).
 */
export function staticDestinationProblem(url: URL, policy: OutboundPolicy): string | undefined {
  return hostProblem(hostOfUrl(url), policy);
}

/** Resolves a URL's host and checks every address; returns the one to connect to. */
export function resolveChecked(url: URL, options: OutboundOptions): Promise<CheckedDestination> {
  return resolveCheckedHost(hostOfUrl(url), options);
}

/**
 * Parses a host (any spelling), applies the same no-DNS policy as at save time, then resolves a name
 * and checks every address; returns the canonical host and the address to connect to.
 */
export async function resolveCheckedHost(
  host: string,
  options: OutboundOptions,
): Promise<CheckedDestination> {
  const hostname = checkHost(host, options.policy);
  const allowlist = allowlistOf(options.policy);
  const literal = isIP(hostname);
  let addresses: LookupAddress[];
  if (literal) {
    addresses = [{ address: hostname, family: literal }];
  } else {
    try {
      addresses = await (options.resolver ?? systemResolver)(hostname);
    } catch {
      throw new OutboundError("dns_failed", `Cannot resolve ${hostname}`);
    }
    if (addresses.length === 0) throw new OutboundError("dns_failed", `Cannot resolve ${hostname}`);
  }
  // Every answer must be acceptable: a name that mixes a public and a private address is refused, so
  // the choice of address can never be the difference between allowed and forbidden.
  for (const { address } of addresses) {
    const why = forbiddenReason(address, allowlist);
    if (why) {
      throw new OutboundError(
        "destination_forbidden",
        literal
          ? `${hostname} is a ${why} address; allowlist it in NORA_OUTBOUND_ALLOWED_CIDRS to reach it`
          : `${hostname} resolves to a ${why} address; allowlist it in NORA_OUTBOUND_ALLOWED_CIDRS to reach it`,
      );
    }
  }
  const first = addresses[0] as LookupAddress;
  return { hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface OutboundRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

/** Calls `url` through the guard. Throws OutboundError for refusals and transport failures. */
export async function outboundFetch(
  target: string | URL,
  request: OutboundRequest,
  options: OutboundOptions,
): Promise<OutboundResponse> {
  const url = typeof target === "string" ? parseOutboundUrl(target) : parseOutboundUrl(target.href);
  const timeoutMs = request.timeoutMs ?? 5_000;
  const maxBytes = request.maxBytes ?? 4 * 1024 * 1024;
  const deadline = Date.now() + timeoutMs;
  const timeout = () => new OutboundError("timeout", `${url.hostname} did not answer within ${timeoutMs} ms`);

  const destination = await Promise.race([
    resolveChecked(url, options),
    new Promise<never>((_, reject) => setTimeout(() => reject(timeout()), timeoutMs).unref()),
  ]);

  return new Promise<OutboundResponse>((resolvePromise, rejectPromise) => {
    // Settles once; every path clears the deadline.
    let timer: NodeJS.Timeout | undefined;
    const resolve = (value: OutboundResponse) => {
      clearTimeout(timer);
      resolvePromise(value);
    };
    const reject = (error: OutboundError) => {
      clearTimeout(timer);
      rejectPromise(error);
    };
    const client = url.protocol === "https:" ? https : http;
    const body = request.body === undefined ? undefined : Buffer.from(request.body, "utf8");
    const req = client.request(
      url,
      {
        method: request.method ?? "GET",
        headers: {
          "user-agent": "Nora",
          accept: "application/json",
          ...request.headers,
          ...(body ? { "content-length": String(body.length) } : {}),
        },
        agent: false,
        ...(options.trustedCa ? { ca: options.trustedCa } : {}),
        family: destination.family,
        // Pinned: the socket connects to the address that was checked, whatever DNS says now.
        lookup: ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          if (opts?.all) callback(null, [{ address: destination.address, family: destination.family }]);
          else callback(null, destination.address, destination.family);
        }) as never,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          req.destroy();
          reject(
            new OutboundError(
              "redirect_refused",
              `${url.hostname} answered with a redirect (${status}); redirects are not followed`,
              status,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            reject(
              new OutboundError(
                "response_too_large",
                `${url.hostname} answered with more than ${maxBytes} bytes`,
                status,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on("error", () => undefined);
      },
    );
    timer = setTimeout(
      () => {
        req.destroy();
        reject(timeout());
      },
      Math.max(deadline - Date.now(), 1),
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        new OutboundError(
          "connection_failed",
          `Cannot reach ${url.hostname}${error.code ? ` (${error.code})` : ""}`,
        ),
      );
    });
    if (body) req.write(body);
    req.end();
  });
}
