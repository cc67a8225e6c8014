import { randomUUID } from "node:crypto";
import { type ApiClient, createApiClient, InvalidRequestError } from "@nora/api-client";
import { API, ROUTES, type RouteDefinition } from "@nora/api-contract";
import { hashPassword } from "@nora/domain/auth/passwords";
import type { TestApp } from "./helpers.js";

export const PASSWORD = "correct horse battery staple";
let passwordHash: Promise<string> | undefined;

export const ORIGIN = "http://nora.test";

/** A user inserted directly (skipping signup limits) who can log in with PASSWORD. */
export async function createUser(app: TestApp, options: { email?: string; role?: "user" | "admin" } = {}) {
  passwordHash ??= hashPassword(PASSWORD);
  const email = options.email ?? `user-${randomUUID().slice(0, 8)}@example.org`;
  const { rows } = await app.db.pool.query<{ id: string }>(
    "INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id",
    [email, await passwordHash, options.role ?? "user"],
  );
  return { id: rows[0]?.id as string, email };
}

export interface Caller {
  cookie?: string;
  apiKey?: string;
}

/**
 * The typed client as this caller: the session cookie, and the allowed Origin on the requests a
 * browser sends it with (`withOrigin`; by default whenever there is a cookie).
 */
export function clientAs(
  app: TestApp,
  caller: Caller = {},
  withOrigin = caller.cookie !== undefined,
): ApiClient {
  return createApiClient({
    baseUrl: app.url,
    ...(caller.apiKey ? { apiKey: caller.apiKey } : {}),
    headers: {
      ...(caller.cookie ? { cookie: caller.cookie } : {}),
      ...(withOrigin ? { origin: ORIGIN } : {}),
    },
  });
}

const MATCHERS = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, names, pattern: new RegExp(`^${source}$`) };
});

/** The contract entry a concrete request addresses, with its params and query read back from the URL. */
function contractRequest(method: string, url: string) {
  const [path = "", search] = url.split("?", 2);
  for (const { route, names, pattern } of MATCHERS) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]),
      );
      const query = Object.fromEntries(new URLSearchParams(search ?? ""));
      return { route: route as RouteDefinition, params, ...(search ? { query } : {}) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function rawFetch(app: TestApp, caller: Caller, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (caller.cookie) headers.cookie = caller.cookie;
  if (caller.apiKey) headers.authorization = `Bearer ${caller.apiKey}`;
  if (method !== "GET" && caller.cookie) headers.origin = ORIGIN;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(app.url + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/**
 * A request as a browser on the allowed origin would send it (or as a script with an API key). A
 * request the contract accepts goes through the typed client (`raw`: the answer is returned as it
 * came, whatever its status); one it refuses (a malformed id or body a test sends on purpose) is sent
 * by hand, as the client never would.
 */
export async function call(app: TestApp, caller: Caller, method: string, path: string, body?: unknown) {
  const request = contractRequest(method, path);
  let res: Response | undefined;
  if (request) {
    try {
      const browser = method !== "GET" && caller.cookie !== undefined;
      res = await clientAs(app, caller, browser).raw(request.route, { ...request, body });
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
    }
  }
  res ??= await rawFetch(app, caller, method, path, body);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json as Record<string, unknown>, headers: res.headers, text };
}

/** Logs in and returns the session cookie as a Cookie header value. */
export async function login(app: TestApp, email: string, password = PASSWORD): Promise<string> {
  const res = await clientAs(app, {}, true).raw(API.auth.login, { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0] as string;
}

export async function userWithSession(app: TestApp, options: { role?: "user" | "admin" } = {}) {
  const user = await createUser(app, options);
  return { ...user, cookie: await login(app, user.email) };
}

export async function createWorkspace(app: TestApp, cookie: string, name = "Acme") {
  const { workspace } = await clientAs(app, { cookie }).workspaces.create({ body: { name } });
  return workspace.id;
}

export async function addMember(app: TestApp, workspaceId: string, userId: string, role: string) {
  await app.db.pool.query("INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3)", [
    workspaceId,
    userId,
    role,
  ]);
}

export async function createApiKey(
  app: TestApp,
  cookie: string,
  workspaceId: string,
  scopes: string[],
  ttlDays?: number,
) {
  const res = await call(app, { cookie }, "POST", `/api/workspaces/${workspaceId}/api-keys`, {
    description: "test key",
    scopes,
    ...(ttlDays ? { ttl_days: ttlDays } : {}),
  });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
  return { key: res.body.key as string, id: (res.body.apiKey as { id: string }).id };
}
