import { randomUUID } from "node:crypto";
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

/** A request as a browser on the allowed origin would send it (or as a script with an API key). */
export async function call(app: TestApp, caller: Caller, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (caller.cookie) headers.cookie = caller.cookie;
  if (caller.apiKey) headers.authorization = `Bearer ${caller.apiKey}`;
  if (method !== "GET" && caller.cookie) headers.origin = ORIGIN;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(app.url + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
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
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0] as string;
}

export async function userWithSession(app: TestApp, options: { role?: "user" | "admin" } = {}) {
  const user = await createUser(app, options);
  return { ...user, cookie: await login(app, user.email) };
}

export async function createWorkspace(app: TestApp, cookie: string, name = "Acme") {
  const res = await call(app, { cookie }, "POST", "/api/workspaces", { name });
  if (res.status !== 201) throw new Error(`workspace creation failed: ${res.status} ${res.text}`);
  return (res.body.workspace as { id: string }).id;
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
