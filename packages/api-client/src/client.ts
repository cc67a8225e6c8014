import { API, isJsonResponse, type ResponseSpec, type RouteDefinition } from "@nora/api-contract";
import type { z } from "zod";
import { ApiError, InvalidRequestError, InvalidResponseError, NetworkError } from "./errors.js";
import type { CallInput, CallOutput, DomainMethods } from "./types.js";

export interface ApiClientOptions {
  /** The API's origin, e.g. `https://nora.example.org`; `""` in a browser on the same origin. */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Sent with every request (a function is asked each time). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** A `nora_` API key, sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** The browser's cookie policy; `same-origin` by default (the session cookie). */
  credentials?: "include" | "omit" | "same-origin";
}

export interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

const SUCCESS = (status: number) => status >= 200 && status < 300;

function issuesOf(error: z.ZodError, part: string) {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join("."),
    code: issue.code,
    message: issue.message,
  }));
}

/** Checks each part against its schema; a bad input never leaves the client. */
function checkInput(route: RouteDefinition, input: RawInput): void {
  const details: ReturnType<typeof issuesOf> = [];
  for (const part of ["params", "query", "body"] as const) {
    const schema = route[part];
    if (!schema) continue;
    const value = part === "body" ? input.body : (input[part] ?? {});
    if (part === "body" && value === undefined) {
      const parsed = schema.safeParse({});
      if (!parsed.success) details.push(...issuesOf(parsed.error, part));
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) details.push(...issuesOf(parsed.error, part));
  }
  if (details.length > 0) {
    throw new InvalidRequestError({
      status: 0,
      error: "validation_failed",
      message: `Invalid request for ${route.method} ${route.path}`,
      requestId: null,
      details,
    });
  }
}

/** The path with its `:params` URL-encoded, and the query string. */
export function urlOf(route: RouteDefinition, input: RawInput): string {
  const params = (input.params ?? {}) as Record<string, unknown>;
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m: string, name: string) =>
    encodeURIComponent(String(params[name])),
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  if (!(res.headers.get("content-type") ?? "").includes("json")) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `call` and `raw` without the route table: a caller that imports only the routes it uses keeps the
 * rest of the contract out of a browser bundle (`createAuthApi` is built on it).
 */
export function createCaller(options: ApiClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  /** Sends a validated request and returns the `Response` as it came (CSV exports, redirects). */
  async function raw(route: RouteDefinition, input: RawInput = {}): Promise<Response> {
    checkInput(route, input);
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(typeof options.headers === "function" ? options.headers() : options.headers),
    };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (input.body !== undefined) headers["content-type"] = "application/json";
    const redirects = Object.values(route.responses).some(
      (r: ResponseSpec) => !isJsonResponse(r) && r.kind === "redirect",
    );
    try {
      return await doFetch(`${baseUrl}${urlOf(route, input)}`, {
        method: route.method,
        headers,
        credentials: options.credentials ?? "same-origin",
        ...(redirects ? { redirect: "manual" as const } : {}),
        ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
      });
    } catch (cause) {
      // fetch rejects only when no answer came at all (offline, refused, DNS, an aborted request).
      throw new NetworkError(
        {
          status: 0,
          error: "network_error",
          message: "The server could not be reached; check the connection and try again",
          requestId: null,
        },
        { cause },
      );
    }
  }

  /** Calls a route of the contract: input checked before sending, the answer checked against its schema. */
  async function call<R extends RouteDefinition>(route: R, input?: CallInput<R>): Promise<CallOutput<R>> {
    const res = await raw(route, (input ?? {}) as RawInput);
    const headerRequestId = res.headers.get("x-request-id");
    const spec = route.responses[res.status];
    if (spec && !isJsonResponse(spec) && spec.kind === "redirect") {
      return { location: res.headers.get("location") } as CallOutput<R>;
    }
    const body = await readBody(res);
    if (!SUCCESS(res.status)) throw ApiError.fromResponse(res.status, body, headerRequestId);
    if (!spec) {
      throw new InvalidResponseError({
        status: res.status,
        error: "unexpected_status",
        message: `${route.method} ${route.path} answered ${res.status}, which the contract does not list`,
        requestId: headerRequestId,
        body,
      });
    }
    if (!isJsonResponse(spec)) return (spec.kind === "empty" ? undefined : body) as CallOutput<R>;
    const parsed = spec.safeParse(body);
    if (!parsed.success) {
      throw new InvalidResponseError({
        status: res.status,
        error: "invalid_response",
        message: `${route.method} ${route.path}: the answer does not match the contract`,
        requestId: headerRequestId,
        details: issuesOf(parsed.error, "response"),
        body,
      });
    }
    return parsed.data as CallOutput<R>;
  }

  return { call, raw, baseUrl };
}

export type Caller = ReturnType<typeof createCaller>;

/** The whole API: `call`, `raw`, and one method per route grouped by domain (`client.workspaces.list()`). */
export function createApiClient(options: ApiClientOptions) {
  const { call, raw } = createCaller(options);
  const domains = Object.fromEntries(
    Object.entries(API).map(([group, routes]) => [
      group,
      Object.fromEntries(
        Object.entries(routes as Record<string, RouteDefinition>).map(([name, route]) => [
          name,
          (input?: RawInput) => call(route, input as CallInput<RouteDefinition>),
        ]),
      ),
    ]),
  ) as unknown as DomainMethods;

  return { call, raw, ...domains };
}

export type ApiClient = ReturnType<typeof createApiClient>;
