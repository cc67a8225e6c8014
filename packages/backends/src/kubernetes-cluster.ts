import {
  AuthorizationV1Api,
  type Cluster,
  type ConfigurationOptions,
  type Context,
  CoreV1Api,
  KubeConfig,
  loadYaml,
  Observable,
  type User,
  VersionApi,
} from "@kubernetes/client-node";

/**
 * Kubernetes clusters as Nora uses them: reading a kubeconfig safely and checking that the cluster
 * answers and grants what Nora needs. The adapter (kubernetes.ts) takes the KubeConfig built here.
 */

/** One RBAC rule Nora needs in the agents' namespace (`resource` may carry a subresource: `pods/log`). */
export interface RequiredPermission {
  group: string;
  resource: string;
  verbs: readonly string[];
}

const MANAGE = ["get", "list", "watch", "create", "patch", "update", "delete"] as const;

/**
 * Everything Nora does in an agents' namespace, the one list: the connectivity check asks the API
 * server about each verb, and docs/kubernetes.md's Role manifest is generated from it (a test
 * compares them).
 */
export const KUBERNETES_REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  { group: "apps", resource: "deployments", verbs: MANAGE },
  { group: "", resource: "services", verbs: MANAGE },
  { group: "", resource: "configmaps", verbs: MANAGE },
  { group: "", resource: "secrets", verbs: MANAGE },
  { group: "", resource: "persistentvolumeclaims", verbs: MANAGE },
  { group: "networking.k8s.io", resource: "networkpolicies", verbs: MANAGE },
  { group: "", resource: "pods", verbs: ["get", "list", "watch"] },
  { group: "", resource: "pods/log", verbs: ["get"] },
  { group: "", resource: "pods/exec", verbs: ["create"] },
  { group: "", resource: "events", verbs: ["list"] },
];

/** The Role operators copy (docs/kubernetes.md), generated from KUBERNETES_REQUIRED_PERMISSIONS. */
export function requiredRoleManifest(namespace: string, name = "nora-provisioner"): string {
  const rules = KUBERNETES_REQUIRED_PERMISSIONS.map(
    (p) =>
      `  - apiGroups: [${JSON.stringify(p.group)}]\n` +
      `    resources: [${JSON.stringify(p.resource)}]\n` +
      `    verbs: [${p.verbs.map((v) => JSON.stringify(v)).join(", ")}]`,
  );
  return [
    "apiVersion: rbac.authorization.k8s.io/v1",
    "kind: Role",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    "rules:",
    ...rules,
    "",
  ].join("\n");
}

export type KubeconfigSource = "api" | "file";

/** Why a kubeconfig is refused: `rule` is the broken rule, the message says where (never a value). */
export class KubeconfigError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeconfigError";
  }
}

export interface ParsedKubeconfig {
  kubeConfig: KubeConfig;
  /** The current context's API server (`https://host:port`). */
  server: string;
  /** The cluster skips TLS verification (only with KUBERNETES_ALLOW_INSECURE_TLS). */
  insecureSkipTlsVerify: boolean;
}

export interface ParseOptions {
  source: KubeconfigSource;
  /** KUBERNETES_ALLOW_INSECURE_TLS: accept `insecure-skip-tls-verify`. */
  allowInsecureTls?: boolean;
}

const MAX_KUBECONFIG_BYTES = 256 * 1024;

/** Fields that make the client read a file or run a program: refused in a kubeconfig from the API. */
const CLUSTER_FILE_FIELDS = ["certificate-authority"] as const;
const USER_FORBIDDEN_FIELDS: ReadonlyArray<{ field: string; rule: string; what: string }> = [
  { field: "exec", rule: "exec_forbidden", what: "runs a program (exec)" },
  { field: "auth-provider", rule: "auth_provider_forbidden", what: "uses an auth-provider plugin" },
  {
    field: "client-certificate",
    rule: "file_reference_forbidden",
    what: "reads client-certificate from a file",
  },
  { field: "client-key", rule: "file_reference_forbidden", what: "reads client-key from a file" },
  { field: "token-file", rule: "file_reference_forbidden", what: "reads its token from a file (tokenFile)" },
  { field: "tokenFile", rule: "file_reference_forbidden", what: "reads its token from a file (tokenFile)" },
];

type Yaml = Record<string, unknown>;
const isObject = (v: unknown): v is Yaml => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

function named(list: unknown, kind: string): Array<{ name: string; body: Yaml }> {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError("kubeconfig_shape", `${kind} must be a list`);
  return list.map((entry, i) => {
    const name = isObject(entry) ? str(entry.name) : undefined;
    const inner = kind.slice(0, -1);
    const body = isObject(entry) ? entry[inner] : undefined;
    if (!name || !isObject(body)) {
      throw new KubeconfigError("kubeconfig_shape", `${kind}[${i}] needs a name and a ${inner} object`);
    }
    return { name, body };
  });
}

function parseYaml(text: string): Yaml {
  if (Buffer.byteLength(text, "utf8") > MAX_KUBECONFIG_BYTES) {
    throw new KubeconfigError(
      "kubeconfig_too_large",
      `a kubeconfig is at most ${MAX_KUBECONFIG_BYTES} bytes`,
    );
  }
  let doc: unknown;
  try {
    doc = loadYaml<unknown>(text);
  } catch (error) {
    // js-yaml's message quotes the offending lines (which may hold a token): keep only where.
    const mark = (error as { mark?: { line?: number } }).mark;
    const where = typeof mark?.line === "number" ? ` (line ${mark.line + 1})` : "";
    throw new KubeconfigError("kubeconfig_yaml", `the kubeconfig is not valid YAML${where}`);
  }
  if (!isObject(doc)) throw new KubeconfigError("kubeconfig_shape", "the kubeconfig is not a YAML mapping");
  return doc;
}

/** The refusals for a kubeconfig stored through the API: it must not make the worker run or read anything. */
function refuseLocalReferences(clusters: ReturnType<typeof named>, users: ReturnType<typeof named>): void {
  for (const { name, body } of clusters) {
    for (const field of CLUSTER_FILE_FIELDS) {
      if (body[field] !== undefined) {
        throw new KubeconfigError(
          "file_reference_forbidden",
          `cluster "${name}" reads ${field} from a file; a stored kubeconfig must embed it (${field}-data)`,
        );
      }
    }
    if (body["proxy-url"] !== undefined) {
      throw new KubeconfigError(
        "proxy_url_forbidden",
        `cluster "${name}" sets proxy-url; a stored kubeconfig may not`,
      );
    }
  }
  for (const { name, body } of users) {
    for (const { field, rule, what } of USER_FORBIDDEN_FIELDS) {
      if (body[field] !== undefined) {
        throw new KubeconfigError(rule, `user "${name}" ${what}; a stored kubeconfig may not`);
      }
    }
  }
}

function checkServer(cluster: Cluster, options: ParseOptions): void {
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new KubeconfigError("server_invalid", `cluster "${cluster.name}" has no valid server URL`);
  }
  if (url.protocol !== "https:") {
    throw new KubeconfigError(
      "server_not_https",
      `cluster "${cluster.name}": the server must be an https:// URL`,
    );
  }
  if (url.username || url.password) {
    throw new KubeconfigError(
      "server_invalid",
      `cluster "${cluster.name}": the server URL may not carry credentials`,
    );
  }
  if (cluster.skipTLSVerify && !options.allowInsecureTls) {
    throw new KubeconfigError(
      "insecure_tls_forbidden",
      `cluster "${cluster.name}" sets insecure-skip-tls-verify; embed its CA (certificate-authority-data), or set KUBERNETES_ALLOW_INSECURE_TLS=true`,
    );
  }
}

/** Builds a KubeConfig holding only the current context, from data fields only (no file, no program). */
function fromApi(doc: Yaml, options: ParseOptions): ParsedKubeconfig {
  const clusters = named(doc.clusters, "clusters");
  const users = named(doc.users, "users");
  const contexts = named(doc.contexts, "contexts");
  refuseLocalReferences(clusters, users);
  const currentName = str(doc["current-context"]);
  if (!currentName)
    throw new KubeconfigError("current_context_missing", "the kubeconfig sets no current-context");
  const ctx = contexts.find((c) => c.name === currentName);
  if (!ctx) {
    throw new KubeconfigError(
      "current_context_unknown",
      `current-context "${currentName}" is not among contexts`,
    );
  }
  const clusterName = str(ctx.body.cluster);
  const c = clusters.find((x) => x.name === clusterName);
  if (!c) throw new KubeconfigError("cluster_unknown", `context "${currentName}" names no known cluster`);
  const userName = str(ctx.body.user);
  const u = userName === undefined ? undefined : users.find((x) => x.name === userName);
  if (userName !== undefined && !u) {
    throw new KubeconfigError("user_unknown", `context "${currentName}" names no known user`);
  }
  const cluster: Cluster = {
    name: c.name,
    server: String(str(c.body.server) ?? "").replace(/\/$/, ""),
    skipTLSVerify: c.body["insecure-skip-tls-verify"] === true,
    ...(str(c.body["certificate-authority-data"])
      ? { caData: str(c.body["certificate-authority-data"]) }
      : {}),
    ...(str(c.body["tls-server-name"]) ? { tlsServerName: str(c.body["tls-server-name"]) } : {}),
  };
  checkServer(cluster, options);
  const userFields = (body: Yaml): Partial<User> => ({
    ...(str(body["client-certificate-data"]) ? { certData: str(body["client-certificate-data"]) } : {}),
    ...(str(body["client-key-data"]) ? { keyData: str(body["client-key-data"]) } : {}),
    ...(str(body.token) ? { token: str(body.token) } : {}),
    ...(str(body.username) ? { username: str(body.username) } : {}),
    ...(str(body.password) ? { password: str(body.password) } : {}),
  });
  const user: User = { name: u?.name ?? "anonymous", ...(u ? userFields(u.body) : {}) };
  const context: Context = { name: currentName, cluster: cluster.name, user: user.name };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [context],
    currentContext: currentName,
  });
  return { kubeConfig, server: cluster.server, insecureSkipTlsVerify: cluster.skipTLSVerify };
}

/** A kubeconfig the operator placed on the provisioner's disk: the client's own loader (files, exec). */
function fromKubeConfig(kubeConfig: KubeConfig, options: ParseOptions): ParsedKubeconfig {
  const current = kubeConfig.getCurrentContext();
  if (!current)
    throw new KubeconfigError("current_context_missing", "the kubeconfig sets no current-context");
  if (!kubeConfig.getContextObject(current)) {
    throw new KubeconfigError(
      "current_context_unknown",
      `current-context "${current}" is not among contexts`,
    );
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeconfigError("cluster_unknown", `context "${current}" names no known cluster`);
  checkServer(cluster, options);
  return { kubeConfig, server: cluster.server, insecureSkipTlsVerify: cluster.skipTLSVerify };
}

/**
 * Reads a kubeconfig. `source: "api"` (stored by an admin): refuses `exec`, `auth-provider`, every file
 * reference and `proxy-url`, requires a current context and an `https://` server, and refuses
 * `insecure-skip-tls-verify` unless allowed. `source: "file"` (KUBECONFIG_PATH, the operator's own
 * file): the client's loader, with the same context, server and TLS rules.
 */
export function parseKubeconfig(text: string, options: ParseOptions): ParsedKubeconfig {
  const doc = parseYaml(text);
  if (options.source === "api") return fromApi(doc, options);
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch (error) {
    throw new KubeconfigError(
      "kubeconfig_shape",
      `the kubeconfig cannot be loaded: ${(error as Error).message}`,
    );
  }
  return fromKubeConfig(kubeConfig, options);
}

/** KUBECONFIG_PATH: relative certificate and key paths resolve against the file's directory. */
export function loadKubeconfigFile(path: string, options: Omit<ParseOptions, "source">): ParsedKubeconfig {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KubeconfigError(
      "kubeconfig_unreadable",
      `KUBECONFIG_PATH cannot be read${code ? ` (${code})` : `: ${(error as Error).message}`}`,
    );
  }
  return fromKubeConfig(kubeConfig, { ...options, source: "file" });
}

export interface PermissionCheck {
  verb: string;
  group: string;
  resource: string;
  allowed: boolean;
}

export interface ClusterCheck {
  reachable: boolean;
  /** The server's `gitVersion` (e.g. v1.37.2). */
  version: string | null;
  /** null: the credentials may not read namespaces, so the check cannot tell. */
  namespaceExists: boolean | null;
  permissions: PermissionCheck[];
  missing: Array<Omit<PermissionCheck, "allowed">>;
  ok: boolean;
  message: string;
}

/** Each verb of KUBERNETES_REQUIRED_PERMISSIONS, one SelfSubjectAccessReview each. */
export function requiredPermissionChecks(): Array<Omit<PermissionCheck, "allowed">> {
  return KUBERNETES_REQUIRED_PERMISSIONS.flatMap((p) =>
    p.verbs.map((verb) => ({ verb, group: p.group, resource: p.resource })),
  );
}

/** Aborts every request of a call after `ms` (the client passes the signal to its fetch). */
function deadline(ms: number): ConfigurationOptions {
  const signal = AbortSignal.timeout(ms);
  return {
    middleware: [
      {
        pre: (request) => {
          request.setSignal(signal);
          return new Observable(Promise.resolve(request));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  };
}

/** The HTTP status of a client error, when the server answered. */
function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** What went wrong reaching the server, in words without secrets (no body, no headers). */
function reachFailure(error: unknown, server: string, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  const err = error as { code?: unknown; errno?: unknown; type?: unknown; cause?: { code?: unknown } };
  if (name === "AbortError" || name === "TimeoutError" || err.type === "aborted") {
    return `the API server at ${server} did not answer within ${timeoutMs} ms`;
  }
  const code = [err.code, err.errno, err.cause?.code].find((c) => typeof c === "string");
  return `the API server at ${server} cannot be reached${code ? ` (${code})` : ""}`;
}

/**
 * Asks the cluster what Nora needs: `/version`, the namespace, and one SelfSubjectAccessReview per
 * required verb in `namespace`. Every call has a deadline; nothing here creates or changes anything.
 */
export async function checkCluster(
  kubeConfig: KubeConfig,
  namespace: string,
  options: { timeoutMs?: number } = {},
): Promise<ClusterCheck> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const server = kubeConfig.getCurrentCluster()?.server ?? "(none)";
  const unreachable = (message: string): ClusterCheck => ({
    reachable: false,
    version: null,
    namespaceExists: null,
    permissions: [],
    missing: [],
    ok: false,
    message,
  });
  let version: string;
  try {
    const info = await kubeConfig.makeApiClient(VersionApi).getCode({}, deadline(timeoutMs));
    version = info.gitVersion;
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined) return unreachable(reachFailure(error, server, timeoutMs));
    return {
      ...unreachable(`the API server at ${server} answered /version with HTTP ${status}`),
      reachable: true,
    };
  }

  const auth = kubeConfig.makeApiClient(AuthorizationV1Api);
  let permissions: PermissionCheck[];
  try {
    permissions = await Promise.all(
      requiredPermissionChecks().map(async (p) => {
        const [resource, subresource] = p.resource.split("/");
        const review = await auth.createSelfSubjectAccessReview(
          {
            body: {
              spec: {
                resourceAttributes: {
                  namespace,
                  verb: p.verb,
                  group: p.group,
                  resource,
                  ...(subresource ? { subresource } : {}),
                },
              },
            },
          },
          deadline(timeoutMs),
        );
        return { ...p, allowed: review.status?.allowed === true };
      }),
    );
  } catch (error) {
    const status = statusOf(error);
    const message =
      status === 401
        ? `the API server at ${server} refused the credentials (HTTP 401)`
        : status !== undefined
          ? `the API server at ${server} refused the access review (HTTP ${status})`
          : reachFailure(error, server, timeoutMs);
    return { ...unreachable(message), reachable: status !== undefined, version };
  }

  let namespaceExists: boolean | null = null;
  try {
    await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace }, deadline(timeoutMs));
    namespaceExists = true;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) namespaceExists = false;
    else if (status !== 403) return { ...unreachable(reachFailure(error, server, timeoutMs)), version };
  }

  const missing = permissions.filter((p) => !p.allowed).map(({ allowed: _a, ...p }) => p);
  const problems: string[] = [];
  if (namespaceExists === false) problems.push(`namespace "${namespace}" does not exist`);
  if (missing.length > 0) {
    const names = missing.map((m) => `${m.verb} ${m.group ? `${m.group}/` : ""}${m.resource}`);
    problems.push(`missing permissions in "${namespace}": ${names.join(", ")}`);
  }
  const ok = problems.length === 0;
  return {
    reachable: true,
    version,
    namespaceExists,
    permissions,
    missing,
    ok,
    message: ok
      ? `reachable (${version}); every permission Nora needs in "${namespace}" is granted`
      : problems.join("; "),
  };
}
