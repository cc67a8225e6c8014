import { API_KEY_SCOPES } from "@nora/domain/api-keys/scopes";
import { PUBLIC_ROUTES } from "./route-table.js";

/**
 * The rows of the authorization matrix (authz-matrix.test.ts): every workspace route with the status each
 * kind of caller must get.
 */
export const PERSONAS = [
  "anonymous",
  "viewer",
  "editor",
  "admin",
  "owner",
  "otherMember",
  "platformAdmin",
  "keyWithScope",
  "keyWithoutScope",
  "expiredKey",
  "revokedKey",
] as const;
export type Persona = (typeof PERSONAS)[number];

export interface RouteCase {
  method: string;
  path: string;
  body?: unknown;
  /** The scope a key needs for this route; session-only routes give keys every scope and still refuse them. */
  scope?: string;
  /** A server-sent event stream: only the status is read, then the request is aborted. */
  stream?: boolean;
  /** A query string appended to the path (`?root=workspace`). */
  query?: string;
  expect: Record<Persona, number>;
}

//                 anon viewer editor admin owner other padmin key+  key-  expired revoked
export const row = (s: number[]): Record<Persona, number> =>
  Object.fromEntries(PERSONAS.map((p, i) => [p, s[i] as number])) as Record<Persona, number>;

export const ROUTES: RouteCase[] = [
  {
    method: "GET",
    path: "/api/workspaces/:id",
    scope: "workspaces:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/workspaces/:id",
    body: { name: "Renamed" },
    expect: row([401, 403, 403, 200, 200, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id",
    expect: row([401, 403, 403, 403, 204, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/members",
    scope: "workspaces:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/workspaces/:id/members/:target",
    body: { role: "editor" },
    expect: row([401, 403, 403, 204, 204, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/members/:target",
    expect: row([401, 403, 403, 204, 204, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/api-keys",
    expect: row([401, 403, 403, 200, 200, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/api-keys",
    body: { description: "k", scopes: ["agents:read"] },
    expect: row([401, 403, 403, 201, 201, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/api-keys/:key",
    expect: row([401, 403, 403, 204, 204, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/api-keys/:key/rotate",
    expect: row([401, 403, 403, 201, 201, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/invitations",
    expect: row([401, 403, 403, 200, 200, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/invitations",
    body: { email: "new@example.org", role: "viewer" },
    expect: row([401, 403, 403, 201, 201, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/invitations/:invitation",
    expect: row([401, 403, 403, 204, 204, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/audit",
    expect: row([401, 403, 403, 200, 200, 404, 404, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/agents/:agent/secrets",
    scope: "agents:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PUT",
    path: "/api/agents/:agent/secrets/:newSecret",
    body: { value: "a-fresh-secret-value" },
    scope: "agents:write",
    expect: row([401, 403, 204, 204, 204, 404, 404, 204, 403, 401, 401]),
  },
  {
    // Authorized callers reach the service, which answers 409: the fixture agent is not running.
    method: "POST",
    path: "/api/agents/:agent/sync-providers",
    scope: "agents:write",
    expect: row([401, 403, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
  },
  // Agent files: the fixture agent is not running, so an allowed caller reaches the runtime check (409).
  ...[
    ["GET", "/api/agents/:agent/files/roots", ""],
    ["GET", "/api/agents/:agent/files/tree", "?root=workspace"],
    ["GET", "/api/agents/:agent/files/content", "?root=workspace&path=a.txt"],
    ["GET", "/api/agents/:agent/files/download", "?root=workspace&path=a.txt"],
  ].map(([method, path, query]) => ({
    method: method as string,
    path: path as string,
    query: query as string,
    scope: "agents:read",
    expect: row([401, 409, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
  })),
  ...[
    ["PUT", "/api/agents/:agent/files/content", "", { root: "workspace", path: "a.txt", content: "x" }],
    ["POST", "/api/agents/:agent/files/upload", "?root=workspace&path=a.txt", undefined],
    ["POST", "/api/agents/:agent/files/mkdir", "", { root: "workspace", path: "d" }],
    ["POST", "/api/agents/:agent/files/move", "", { root: "workspace", from: "a.txt", to: "b.txt" }],
    ["DELETE", "/api/agents/:agent/files", "?root=workspace&path=a.txt", undefined],
  ].map(([method, path, query, body]) => ({
    method: method as string,
    path: path as string,
    query: query as string,
    body,
    scope: "agents:write",
    expect: row([401, 403, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
  })),
  // Agent chat: the fixture agent is not running, so an allowed caller reaches the gateway check (409).
  {
    method: "POST",
    path: "/api/agents/:agent/chat",
    body: { message: "hello" },
    scope: "agents:write",
    expect: row([401, 403, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
  },
  ...["/api/agents/:agent/chat/sessions", "/api/agents/:agent/chat/sessions/:chatSession/messages"].map(
    (path) => ({
      method: "GET",
      path,
      scope: "agents:read",
      expect: row([401, 409, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
    }),
  ),
  // The gateway proxy (every method, both servers): the fixture agent is not running, so an allowed
  // caller reaches the runtime check (409); `{/*path}` is sent as /v1/models.
  ...["gateway", "dashboard"].flatMap((server) =>
    ["GET", "POST", "PUT", "PATCH", "DELETE"].map((method) => ({
      method,
      path: `/api/agents/:agent/${server}{/*path}`,
      scope: method === "GET" ? "agents:read" : "agents:write",
      expect:
        method === "GET"
          ? row([401, 409, 409, 409, 409, 404, 404, 409, 403, 401, 401])
          : row([401, 403, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
    })),
  ),
  {
    method: "DELETE",
    path: "/api/agents/:agent/secrets/:existingSecret",
    scope: "agents:write",
    expect: row([401, 403, 204, 204, 204, 404, 404, 204, 403, 401, 401]),
  },
  // Agents as desired state (the fixture agent is queued, with revision 1): every action is a 202.
  {
    method: "GET",
    path: "/api/workspaces/:id/agents",
    scope: "agents:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/agents",
    body: { name: "matrix deploy" },
    scope: "agents:write",
    expect: row([401, 403, 202, 202, 202, 404, 404, 202, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/agents/:agent",
    scope: "agents:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/agents/:agent",
    body: { name: "matrix renamed" },
    scope: "agents:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/agents/:agent",
    scope: "agents:write",
    expect: row([401, 403, 202, 202, 202, 404, 404, 202, 403, 401, 401]),
  },
  ...(["start", "stop", "restart", "redeploy"] as const).map((action) => ({
    method: "POST",
    path: `/api/agents/:agent/${action}`,
    scope: "agents:write",
    expect: row([401, 403, 202, 202, 202, 404, 404, 202, 403, 401, 401]),
  })),
  {
    method: "POST",
    path: "/api/agents/:agent/rollback",
    body: { revision: 1 },
    scope: "agents:write",
    expect: row([401, 403, 202, 202, 202, 404, 404, 202, 403, 401, 401]),
  },
  ...(["deployments", "revisions"] as const).map((list) => ({
    method: "GET",
    path: `/api/agents/:agent/${list}`,
    scope: "agents:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  })),
  {
    method: "GET",
    path: "/api/agents/:agent/events",
    scope: "agents:read",
    stream: true,
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/agents/events",
    scope: "agents:read",
    stream: true,
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/events",
    scope: "monitoring:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  // LLM providers, integrations and channels (fixtures point at 127.0.0.1, which the SSRF guard refuses:
  // the test action answers without any network call).
  {
    method: "GET",
    path: "/api/workspaces/:id/llm-providers",
    scope: "integrations:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/llm-providers",
    body: { kind: "openai", name: "Matrix OpenAI", apiKey: "sk-matrix-0123456789abcdef" },
    scope: "integrations:write",
    expect: row([401, 403, 201, 201, 201, 404, 404, 201, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/workspaces/:id/llm-providers/:provider",
    body: { name: "Renamed" },
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/llm-providers/:provider",
    scope: "integrations:write",
    expect: row([401, 403, 204, 204, 204, 404, 404, 204, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/llm-providers/:provider/test",
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/integrations",
    scope: "integrations:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/integrations",
    body: { kind: "github", name: "Matrix GitHub", credentials: { token: `ghp_${"a".repeat(36)}` } },
    scope: "integrations:write",
    expect: row([401, 403, 201, 201, 201, 404, 404, 201, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/integrations/:integration",
    scope: "integrations:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/workspaces/:id/integrations/:integration",
    body: { name: "Renamed" },
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/integrations/:integration",
    scope: "integrations:write",
    expect: row([401, 403, 204, 204, 204, 404, 404, 204, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/integrations/:integration/test",
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/channels",
    scope: "integrations:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/channels",
    body: {
      kind: "telegram",
      name: "Matrix Telegram",
      credentials: { botToken: `123456:${"A".repeat(35)}` },
    },
    scope: "integrations:write",
    expect: row([401, 403, 201, 201, 201, 404, 404, 201, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/workspaces/:id/channels/:channel",
    scope: "integrations:read",
    expect: row([401, 200, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/workspaces/:id/channels/:channel",
    body: { name: "Renamed" },
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/workspaces/:id/channels/:channel",
    scope: "integrations:write",
    expect: row([401, 403, 204, 204, 204, 404, 404, 204, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/workspaces/:id/channels/:channel/test",
    scope: "integrations:write",
    expect: row([401, 403, 200, 200, 200, 404, 404, 200, 403, 401, 401]),
  },
];

export const ALL_SCOPES = [...API_KEY_SCOPES];

/** Valid bodies for /api/admin routes that take one (the default suits PATCH /api/admin/users/:userId). */
export const ADMIN_BODIES: Record<string, unknown> = {
  "PUT /api/admin/settings": { signupMode: "invite" },
  "POST /api/admin/clusters": {
    name: "matrix cluster",
    namespace: "nora-agents",
    kubeconfig: matrixKubeconfig(),
  },
  "PATCH /api/admin/clusters/:clusterId": { serviceType: "NodePort" },
  // An unknown agent: reported in the 202's results, nothing queued.
  ...Object.fromEntries(
    ["restart", "stop", "redeploy"].map((a) => [
      `POST /api/admin/fleet/${a}`,
      { agentIds: ["00000000-0000-4000-8000-000000000000"] },
    ]),
  ),
};

/** Path parameters of /api/admin routes, and the answers a platform admin gets where not 200 or 202. */
export const ADMIN_PARAMS: Record<string, string> = {
  queue: "deployments",
  jobId: "matrix-job",
  // No such cluster (the cluster table below runs each route on a real one).
  clusterId: "00000000-0000-4000-8000-0000000000c1",
};
export const ADMIN_ANSWERS: Record<string, number> = {
  // No such failed job.
  "POST /api/admin/queues/:queue/failed/:jobId/retry": 404,
  "POST /api/admin/clusters": 201,
  "GET /api/admin/clusters/:clusterId": 404,
  "PATCH /api/admin/clusters/:clusterId": 404,
  "DELETE /api/admin/clusters/:clusterId": 404,
  "POST /api/admin/clusters/:clusterId/test": 404,
};

/** A kubeconfig the cluster routes accept (embedded CA and token; nothing connects to it). */
export function matrixKubeconfig(): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "m", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": "Q0E=" } },
    ],
    users: [{ name: "m", user: { token: "matrix-kube-token" } }],
    contexts: [{ name: "m", context: { cluster: "m", user: "m" } }],
    "current-context": "m",
  });
}

/**
 * The cluster admin routes, each cell on a fresh cluster (`:cluster`). Platform admins only; API keys
 * never. No provisioner runs in the matrix, so an admin's test answers 503 cluster_check_timeout.
 */
export const CLUSTER_ROUTES: RouteCase[] = [
  {
    method: "GET",
    path: "/api/admin/clusters",
    expect: row([401, 403, 403, 403, 403, 403, 200, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/admin/clusters/:cluster",
    expect: row([401, 403, 403, 403, 403, 403, 200, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/admin/clusters",
    body: { namespace: "nora-agents", kubeconfig: matrixKubeconfig() },
    expect: row([401, 403, 403, 403, 403, 403, 201, 403, 403, 401, 401]),
  },
  {
    method: "PATCH",
    path: "/api/admin/clusters/:cluster",
    body: { serviceType: "LoadBalancer", kubeconfig: matrixKubeconfig() },
    expect: row([401, 403, 403, 403, 403, 403, 200, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/admin/clusters/:cluster",
    expect: row([401, 403, 403, 403, 403, 403, 204, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/admin/clusters/:cluster/test",
    expect: row([401, 403, 403, 403, 403, 403, 503, 403, 403, 401, 401]),
  },
];

/** The runtime catalog: anyone signed in and any API key, whatever its scopes. */
export const CATALOG_ROUTES: RouteCase[] = [
  {
    method: "GET",
    path: "/api/catalog/runtimes",
    expect: row([401, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401]),
  },
];

// The signed-in user's own account (verification, linked sign-in methods): browser sessions only.
// `:identity` is another user's linked identity, so no caller may remove it.
export const ACCOUNT_ROUTES: RouteCase[] = [
  {
    method: "POST",
    path: "/api/auth/verify-email",
    body: { token: "A".repeat(43) },
    expect: row([401, 400, 400, 400, 400, 400, 400, 403, 403, 401, 401]),
  },
  {
    // No SMTP in this app: every signed-in caller reaches the service, which cannot send.
    method: "POST",
    path: "/api/auth/verify-email/resend",
    expect: row([401, 503, 503, 503, 503, 503, 503, 403, 403, 401, 401]),
  },
  {
    method: "POST",
    path: "/api/auth/oauth/github/link",
    expect: row([401, 200, 200, 200, 200, 200, 200, 403, 403, 401, 401]),
  },
  {
    method: "GET",
    path: "/api/auth/identities",
    expect: row([401, 200, 200, 200, 200, 200, 200, 403, 403, 401, 401]),
  },
  {
    method: "DELETE",
    path: "/api/auth/identities/:identity",
    expect: row([401, 404, 404, 404, 404, 404, 404, 403, 403, 401, 401]),
  },
];

/**
 * Routes without a matrix row, each asserted in its own file: the public ones (route-inventory.test.ts
 * lists them), and the caller's own account and workspace list (no workspace in the path to cross).
 */
export const SESSION_ROUTES_ASSERTED_ELSEWHERE = [
  ...PUBLIC_ROUTES,
  // The caller's own session and account (auth.test.ts, email-verification.test.ts).
  "POST /api/auth/logout",
  "POST /api/auth/logout-all",
  "GET /api/auth/me",
  "PATCH /api/auth/password",
  "GET /api/auth/sessions",
  "DELETE /api/auth/sessions/:sessionId",
  // "lists only the caller's own workspaces" below.
  "GET /api/workspaces",
  "POST /api/workspaces",
  // invitations.test.ts; integrations.test.ts (the catalog holds no workspace data).
  "POST /api/invitations/accept",
  "GET /api/integrations/catalog",
];

/**
 * WebSocket upgrades through the stream door (backend-api/src/ws/door.ts), not Express routes: each
 * cell opens a real upgrade. The fixture agent is not running, so an allowed caller reaches the
 * runtime check (409) before any upgrade; keys need `agents:read`.
 */
export const STREAM_UPGRADES: RouteCase[] = ["logs", "metrics"].map((stream) => ({
  method: "GET",
  path: `/api/ws/agents/:agent/${stream}`,
  scope: "agents:read",
  //         anon viewer editor admin owner other padmin key+  key-  expired revoked
  expect: row([401, 409, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
}));

/**
 * The gateway's WebSocket, at the door and at the Control UI's base path: viewers and agents:read keys
 * get in (with read scopes only; the scopes by role are gateway-socket.test.ts's).
 */
for (const path of ["/api/ws/agents/:agent/gateway", "/api/agents/:agent/gateway/ui"]) {
  STREAM_UPGRADES.push({
    method: "GET",
    path,
    scope: "agents:read",
    //         anon viewer editor admin owner other padmin key+  key-  expired revoked
    expect: row([401, 409, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
  });
}

/** The terminal runs commands in the agent: editors and keys with agents:write only. */
STREAM_UPGRADES.push({
  method: "GET",
  path: "/api/ws/agents/:agent/terminal",
  scope: "agents:write",
  //         anon viewer editor admin owner other padmin key+  key-  expired revoked
  expect: row([401, 403, 409, 409, 409, 404, 404, 409, 403, 401, 401]),
});
