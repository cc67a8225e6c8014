import { createHmac, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError, processEnv, type RawEnv, resolveFileVariables } from "./env.js";
import { envSchema, type ParsedEnv } from "./schema.js";
import { enforceProductionSecrets, isPlaceholderSecret } from "./secret-policy.js";

export { ConfigError, SECRET_VARIABLES } from "./env.js";
export {
  decodeEncryptionKey,
  encryptionKeyProblem,
  isPlaceholderSecret,
  jwtSecretProblem,
} from "./secret-policy.js";

export interface RateLimitRule {
  /** Tokens refilled per minute (the sustained rate). */
  perMinute: number;
  /** Bucket size: requests allowed back to back before the sustained rate applies. */
  burst: number;
}

export interface Config {
  env: ParsedEnv["NODE_ENV"];
  isProduction: boolean;
  logLevel: ParsedEnv["LOG_LEVEL"];
  api: {
    host: string;
    port: number;
    publicUrl: string;
    corsOrigins: string[];
    trustProxyHops: number;
    hsts: boolean;
    jsonBodyLimit: string;
    jsonMaxDepth: number;
    /** The largest file upload the API streams to an agent's runtime. */
    agentFileUploadMaxBytes: number;
    /** The gateway proxy's caps and timeouts (docs/runtime-access.md, "Gateway proxy"). */
    gatewayProxy: {
      requestMaxBytes: number;
      responseMaxBytes: number;
      connectTimeoutMs: number;
      idleTimeoutMs: number;
      /** Serve agents' own web UIs (OpenClaw's Control UI, Hermes' dashboard) on Nora's origin. */
      webUis: boolean;
      /** The largest frame the gateway's WebSocket relay passes, either way. */
      wsMaxFrameBytes: number;
    };
  };
  rateLimit: {
    enabled: boolean;
    global: RateLimitRule;
    mutating: RateLimitRule;
    auth: RateLimitRule;
  };
  database: { url: string; poolMax: number; statementTimeoutMs: number };
  redis: { url: string; password: string | undefined; keyPrefix: string };
  /** Long-lived streams to agents (SSE chat, WebSocket logs, metrics, terminal, gateway). */
  streams: {
    /** Concurrent streams per user, across replicas; terminals count apart. */
    perUserMax: number;
    terminalsPerUserMax: number;
    /** A client that has had no room for output this long is dropped. */
    stallMs: number;
  };
  secrets: {
    encryptionKey: string | undefined;
    previousEncryptionKeys: string[];
    allowPlaintextSecrets: boolean;
  };
  workers: {
    deploymentConcurrency: number;
    backupConcurrency: number;
    alertDeliveryConcurrency: number;
    alertDeliveryAttempts: number;
    healthHost: string;
    provisionerHealthPort: number;
    backupHealthPort: number;
  };
  provisioning: {
    readyAttempts: number;
    /** How long a backend that decides readiness itself (Kubernetes) may take to report it. */
    backendReadyTimeoutMs: number;
    jobLockMs: number;
    sweepIntervalMs: number;
    images: { openclaw: string; hermes: string };
    maxima: { vcpu: number; memoryMb: number; diskGb: number };
    agentQuotaPerWorkspace: number;
    docker: {
      socketPath: string;
      access: "published" | "network";
      bindIp: string;
      portRange: { first: number; last: number };
      /** IPv4 CIDR the agents' /28 networks are carved from. */
      subnetPool: string;
      peerLabel: { key: string; value: string };
      removeOrphans: boolean;
    };
  };
  /** Kubernetes clusters (docs/kubernetes.md): the file cluster and the connectivity check. */
  clusters: {
    /** KUBECONFIG_PATH; read by the provisioner only. */
    kubeconfigPath: string | undefined;
    namespace: string;
    fileClusterName: string;
    allowInsecureTls: boolean;
    checkWaitMs: number;
    recheckIntervalMs: number;
    /** NetworkPolicy ingress to agents: from this namespace (by name) and/or these CIDRs. */
    controlPlane: { namespace?: string; cidrs: string[] };
    /** NodePort clusters: where the control plane reaches the nodes' ports. */
    nodeAddress: string | undefined;
    /** Egress CIDRs (and TCP ports; none: every port) per sandbox profile, beyond DNS and 443 for standard. */
    egressAllow: { standard: EgressAllow[]; nemoclaw: EgressAllow[] };
  };
  identity: {
    jwtSecret: string;
    sessionIdleTimeoutMs: number;
    sessionMaxAgeMs: number;
    secureCookies: boolean;
    /** HMAC key for API key hashes (NORA_API_KEY_HASH_SECRET, else derived from JWT_SECRET). */
    apiKeyHashKey: Buffer;
    /** HMAC key for invitation tokens (NORA_WORKSPACE_INVITE_SECRET, else derived from JWT_SECRET). */
    inviteHashKey: Buffer;
    invitationTtlDays: number;
    /** HMAC key for email verification tokens (derived from JWT_SECRET). */
    verificationHashKey: Buffer;
    emailVerificationTtlMs: number;
    passwordResetHashKey: Buffer;
    passwordResetTtlMs: number;
    bootstrapAdmin: { email: string; password: string } | undefined;
    /** Who may create an account once the server is claimed, unless an admin stored another mode. */
    signupMode: "open" | "invite" | "closed";
    signup: { burst: number; perHour: number; dailyLimit: number };
    captcha:
      | { provider: "turnstile" | "recaptcha"; siteKey: string; secretKey: string; verifyUrl: string }
      | undefined;
    oauth: {
      github: { clientId: string; clientSecret: string; oauthUrl: string; apiUrl: string } | undefined;
      google: { clientId: string; clientSecret: string; issuerUrl: string } | undefined;
    };
    smtp:
      | {
          host: string;
          port: number;
          secure: boolean;
          user?: string;
          password?: string;
          from: string;
          /** Send the login without TLS when the server offers no STARTTLS (SMTP_ALLOW_INSECURE_AUTH). */
          allowInsecureAuth: boolean;
        }
      | undefined;
  };
  /** ENABLED_* as given (unset = the catalog's defaults); @nora/agent-runtime parses them. */
  runtimeCatalog: {
    ENABLED_RUNTIME_FAMILIES?: string;
    /** Deploy targets, under the name they were given (ENABLED_BACKENDS only when the new name is unset). */
    ENABLED_DEPLOY_TARGETS?: string;
    ENABLED_BACKENDS?: string;
    ENABLED_SANDBOX_PROFILES?: string;
  };
  network: {
    /** Private/loopback destinations outbound calls (provider tests, webhooks) may reach anyway. */
    outboundAllowedCidrs: string[];
    /** Where agent runtimes may live: the API only ever calls a runtime address inside these. */
    gatewayAllowedCidrs: string[];
    /** The ports it may call them on (inclusive ranges). */
    gatewayAllowedPorts: Array<{ first: number; last: number }>;
  };
  shutdownTimeoutMs: number;
  /** Boot-time warnings the service logs once its logger exists. */
  warnings: string[];
}

function formatZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid configuration";
  const name = issue.path.join(".") || "configuration";
  return `${name} ${issue.message}`.replace(/\s+/g, " ");
}

/**
 * Parses and validates the environment. Throws ConfigError with a one-line reason;
 * services turn that into a non-zero exit (see loadConfigOrExit).
 */
/**
 * The agents' in-container ports (runtime 9090, OpenClaw 18789, Hermes 8642 and 9119), the host ports
 * Docker publishes them on, and Kubernetes' default NodePort range. Nothing else: PostgreSQL's,
 * Redis' or the API's own port on the same loopback stays out of reach.
 */
const AGENT_CONTAINER_PORTS = ["9090", "18789", "8642", "9119"];
const KUBERNETES_NODE_PORTS = "30000-32767";

function gatewayPorts(
  given: string[] | undefined,
  dockerRange: string,
  warnings: string[],
): Array<{ first: number; last: number }> {
  const listed = given?.length ? given : undefined;
  const ranges = (listed ?? [...AGENT_CONTAINER_PORTS, dockerRange, KUBERNETES_NODE_PORTS]).map((text) => {
    const [first, last = first] = text.split("-").map(Number) as [number, number?];
    return { first, last };
  });
  const [dockerFirst, dockerLast] = dockerRange.split("-").map(Number) as [number, number];
  if (listed && !ranges.some((r) => r.first <= dockerFirst && dockerLast <= r.last)) {
    warnings.push(
      `GATEWAY_ALLOWED_PORTS does not cover DOCKER_AGENT_PORT_RANGE=${dockerRange}: the API will refuse to reach agents published there`,
    );
  }
  return ranges;
}

export function loadConfig(source: RawEnv = processEnv()): Config {
  const env = resolveFileVariables(source);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error));
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";

  const warnings: string[] = [];
  if (isProduction) {
    warnings.push(
      ...enforceProductionSecrets({
        jwtSecret: e.JWT_SECRET,
        encryptionKey: e.ENCRYPTION_KEY,
        allowPlaintextSecrets: e.NORA_ALLOW_PLAINTEXT_SECRETS,
        optionalSecrets: {
          NORA_API_KEY_HASH_SECRET: e.NORA_API_KEY_HASH_SECRET,
          NORA_WORKSPACE_INVITE_SECRET: e.NORA_WORKSPACE_INVITE_SECRET,
        },
      }).warnings,
    );
  }

  if (!e.JWT_SECRET) {
    warnings.push("JWT_SECRET is not set; using a random one for this process, so sessions end at restart");
  }
  // Development convenience only: production refused a missing secret above.
  const jwtSecret = e.JWT_SECRET || randomBytes(32).toString("hex");
  const derive = (label: string) => createHmac("sha256", jwtSecret).update(label).digest();
  if (!e.NORA_API_KEY_HASH_SECRET) {
    warnings.push("NORA_API_KEY_HASH_SECRET is not set; API key hashes use a key derived from JWT_SECRET");
  }
  if (e.SMTP_ALLOW_INSECURE_AUTH && e.SMTP_HOST && !e.SMTP_SECURE) {
    warnings.push(
      "INSECURE: SMTP_ALLOW_INSECURE_AUTH=true: the SMTP login and password are sent in clear text when the server offers no STARTTLS",
    );
  }
  if (e.NORA_INSECURE_COOKIES) {
    warnings.push(
      "NORA_INSECURE_COOKIES=true: session cookies are sent over plain HTTP; use only on localhost",
    );
  }
  const bootstrapAdmin = parseBootstrapAdmin(e.NORA_BOOTSTRAP_ADMIN_EMAIL, e.NORA_BOOTSTRAP_ADMIN_PASSWORD);
  const captcha = parseCaptcha(
    e.CAPTCHA_PROVIDER,
    e.CAPTCHA_SITE_KEY,
    e.CAPTCHA_SECRET_KEY,
    e.CAPTCHA_VERIFY_URL,
  );

  const publicOrigin = new URL(e.PUBLIC_URL).origin;
  for (const origin of e.CORS_ORIGINS) {
    if (origin === "*") throw new ConfigError("CORS_ORIGINS may not contain *; list the allowed origins");
  }
  // PUBLIC_URL's origin is always allowed: CORS_ORIGINS adds origins, it never takes that one away.
  const corsOrigins = [...new Set([publicOrigin, ...e.CORS_ORIGINS])];
  const hsts =
    e.HSTS_ENABLED === "auto" || e.HSTS_ENABLED === ""
      ? publicOrigin.startsWith("https:")
      : e.HSTS_ENABLED === "true";

  return {
    env: e.NODE_ENV,
    isProduction,
    logLevel: e.LOG_LEVEL,
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl: e.PUBLIC_URL,
      corsOrigins,
      trustProxyHops: e.TRUST_PROXY_HOPS,
      hsts,
      jsonBodyLimit: e.JSON_BODY_LIMIT,
      jsonMaxDepth: e.JSON_MAX_DEPTH,
      agentFileUploadMaxBytes: e.AGENT_FILE_UPLOAD_MAX_BYTES,
      gatewayProxy: {
        requestMaxBytes: e.GATEWAY_PROXY_REQUEST_MAX_BYTES,
        responseMaxBytes: e.GATEWAY_PROXY_RESPONSE_MAX_BYTES,
        connectTimeoutMs: e.GATEWAY_PROXY_CONNECT_TIMEOUT_MS,
        idleTimeoutMs: e.GATEWAY_PROXY_IDLE_TIMEOUT_MS,
        webUis: e.GATEWAY_PROXY_WEB_UIS,
        wsMaxFrameBytes: e.GATEWAY_PROXY_WS_MAX_FRAME_BYTES,
      },
    },
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      global: { perMinute: e.RATE_LIMIT_GLOBAL_PER_MINUTE, burst: e.RATE_LIMIT_GLOBAL_BURST },
      mutating: { perMinute: e.RATE_LIMIT_MUTATING_PER_MINUTE, burst: e.RATE_LIMIT_MUTATING_BURST },
      auth: { perMinute: e.RATE_LIMIT_AUTH_PER_MINUTE, burst: e.RATE_LIMIT_AUTH_BURST },
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    redis: { url: e.REDIS_URL, password: e.REDIS_PASSWORD || undefined, keyPrefix: e.REDIS_KEY_PREFIX },
    streams: {
      perUserMax: e.STREAMS_PER_USER_MAX,
      terminalsPerUserMax: e.TERMINALS_PER_USER_MAX,
      stallMs: e.STREAM_STALL_MS,
    },
    secrets: {
      encryptionKey: e.ENCRYPTION_KEY,
      previousEncryptionKeys: e.ENCRYPTION_KEYS_PREVIOUS,
      allowPlaintextSecrets: e.NORA_ALLOW_PLAINTEXT_SECRETS,
    },
    workers: {
      deploymentConcurrency: e.DEPLOYMENT_WORKER_CONCURRENCY,
      backupConcurrency: e.BACKUP_WORKER_CONCURRENCY,
      alertDeliveryConcurrency: e.ALERT_DELIVERY_WORKER_CONCURRENCY,
      alertDeliveryAttempts: e.ALERT_DELIVERY_ATTEMPTS,
      healthHost: e.WORKER_HEALTH_HOST,
      provisionerHealthPort: e.PROVISIONER_HEALTH_PORT,
      backupHealthPort: e.BACKUP_HEALTH_PORT,
    },
    provisioning: parseProvisioning(e, warnings),
    clusters: parseClusters(e, warnings),
    identity: {
      jwtSecret,
      sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT_HOURS * 3_600_000,
      sessionMaxAgeMs: e.SESSION_MAX_AGE_DAYS * 86_400_000,
      secureCookies: !e.NORA_INSECURE_COOKIES,
      apiKeyHashKey: e.NORA_API_KEY_HASH_SECRET
        ? Buffer.from(e.NORA_API_KEY_HASH_SECRET, "utf8")
        : derive("nora:api-key-hash:v1"),
      inviteHashKey: e.NORA_WORKSPACE_INVITE_SECRET
        ? Buffer.from(e.NORA_WORKSPACE_INVITE_SECRET, "utf8")
        : derive("nora:workspace-invite:v1"),
      invitationTtlDays: e.INVITATION_TTL_DAYS,
      verificationHashKey: derive("nora:email-verification:v1"),
      emailVerificationTtlMs: e.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000,
      passwordResetHashKey: derive("nora:password-reset:v1"),
      passwordResetTtlMs: e.PASSWORD_RESET_TTL_MINUTES * 60_000,
      bootstrapAdmin,
      signupMode: e.SIGNUP_MODE === "" ? "invite" : e.SIGNUP_MODE,
      signup: { burst: e.SIGNUP_BURST, perHour: e.SIGNUP_PER_HOUR, dailyLimit: e.SIGNUP_DAILY_LIMIT },
      captcha,
      oauth: {
        github:
          e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
            ? {
                clientId: e.GITHUB_CLIENT_ID,
                clientSecret: e.GITHUB_CLIENT_SECRET,
                oauthUrl: e.GITHUB_OAUTH_URL,
                apiUrl: e.GITHUB_API_URL,
              }
            : undefined,
        google:
          e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
            ? {
                clientId: e.GOOGLE_CLIENT_ID,
                clientSecret: e.GOOGLE_CLIENT_SECRET,
                issuerUrl: e.GOOGLE_ISSUER_URL,
              }
            : undefined,
      },
      smtp:
        e.SMTP_HOST && e.SMTP_FROM
          ? {
              host: e.SMTP_HOST,
              port: e.SMTP_PORT,
              secure: e.SMTP_SECURE,
              from: e.SMTP_FROM,
              allowInsecureAuth: e.SMTP_ALLOW_INSECURE_AUTH,
              ...(e.SMTP_USER ? { user: e.SMTP_USER } : {}),
              ...(e.SMTP_PASSWORD ? { password: e.SMTP_PASSWORD } : {}),
            }
          : undefined,
    },
    runtimeCatalog: {
      ...(e.ENABLED_RUNTIME_FAMILIES ? { ENABLED_RUNTIME_FAMILIES: e.ENABLED_RUNTIME_FAMILIES } : {}),
      ...deployTargetsSetting(e.ENABLED_DEPLOY_TARGETS, e.ENABLED_BACKENDS, warnings),
      ...(e.ENABLED_SANDBOX_PROFILES ? { ENABLED_SANDBOX_PROFILES: e.ENABLED_SANDBOX_PROFILES } : {}),
    },
    network: {
      outboundAllowedCidrs: e.NORA_OUTBOUND_ALLOWED_CIDRS,
      gatewayAllowedCidrs: e.GATEWAY_ALLOWED_CIDRS?.length
        ? e.GATEWAY_ALLOWED_CIDRS
        : ["127.0.0.0/8", "::1/128", e.DOCKER_AGENT_SUBNET_POOL],
      gatewayAllowedPorts: gatewayPorts(e.GATEWAY_ALLOWED_PORTS, e.DOCKER_AGENT_PORT_RANGE, warnings),
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    warnings,
  };
}

function parseProvisioning(e: ParsedEnv, warnings: string[]): Config["provisioning"] {
  const [first, last] = e.DOCKER_AGENT_PORT_RANGE.split("-").map(Number) as [number, number];
  if (first < 1024 || last > 65535 || first > last) {
    throw new ConfigError("DOCKER_AGENT_PORT_RANGE must be a range within 1024-65535, low-high");
  }
  if (e.GATEWAY_PROXY_WEB_UIS) {
    warnings.push(
      "INSECURE: GATEWAY_PROXY_WEB_UIS=true serves agents' own web UIs on Nora's origin: a page a compromised agent serves runs with the signed-in operator's access to Nora (docs/runtime-access.md)",
    );
  }
  const bindFamily = isIP(e.DOCKER_AGENT_BIND_IP);
  if (bindFamily === 0) throw new ConfigError("DOCKER_AGENT_BIND_IP must be an IP address");
  if (!/^(127\.|::1$)/.test(e.DOCKER_AGENT_BIND_IP) && e.DOCKER_AGENT_ACCESS === "published") {
    warnings.push(
      `INSECURE: DOCKER_AGENT_BIND_IP=${e.DOCKER_AGENT_BIND_IP}: agent ports are published beyond this host's loopback; only a firewall keeps others from reaching them`,
    );
  }
  const pool = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(e.DOCKER_AGENT_SUBNET_POOL);
  if (!pool || isIP(pool[1] as string) !== 4 || Number(pool[2]) > 24) {
    throw new ConfigError(
      "DOCKER_AGENT_SUBNET_POOL must be an IPv4 CIDR of /24 or larger, e.g. 10.213.0.0/16",
    );
  }
  const [key, value] = e.DOCKER_AGENT_PEER_LABEL.split("=") as [string, string];
  return {
    readyAttempts: e.DEPLOYMENT_READY_ATTEMPTS,
    backendReadyTimeoutMs: e.DEPLOYMENT_BACKEND_READY_TIMEOUT_SECONDS * 1000,
    jobLockMs: e.DEPLOYMENT_JOB_LOCK_MS,
    sweepIntervalMs: e.DEPLOYMENT_SWEEP_INTERVAL_MS,
    images: { openclaw: e.AGENT_IMAGE_OPENCLAW, hermes: e.AGENT_IMAGE_HERMES },
    maxima: { vcpu: e.AGENT_MAX_VCPU, memoryMb: e.AGENT_MAX_MEMORY_MB, diskGb: e.AGENT_MAX_DISK_GB },
    agentQuotaPerWorkspace: e.AGENT_QUOTA_PER_WORKSPACE,
    docker: {
      socketPath: e.DOCKER_SOCKET,
      access: e.DOCKER_AGENT_ACCESS,
      bindIp: e.DOCKER_AGENT_BIND_IP,
      portRange: { first, last },
      subnetPool: e.DOCKER_AGENT_SUBNET_POOL,
      peerLabel: { key, value },
      removeOrphans: e.DOCKER_REMOVE_ORPHANS,
    },
  };
}

function parseClusters(e: ParsedEnv, warnings: string[]): Config["clusters"] {
  if (e.KUBERNETES_ALLOW_INSECURE_TLS) {
    warnings.push(
      "INSECURE: KUBERNETES_ALLOW_INSECURE_TLS=true: clusters may skip TLS verification (insecure-skip-tls-verify); their API server's identity is not checked",
    );
  }
  if (!e.KUBERNETES_CONTROL_PLANE_NAMESPACE && !e.KUBERNETES_CONTROL_PLANE_CIDRS.trim()) {
    throw new ConfigError(
      "KUBERNETES_CONTROL_PLANE_NAMESPACE or KUBERNETES_CONTROL_PLANE_CIDRS must be set: agents on Kubernetes admit the control plane only",
    );
  }
  return {
    kubeconfigPath: e.KUBECONFIG_PATH.trim() || undefined,
    namespace: e.KUBERNETES_NAMESPACE,
    fileClusterName: e.KUBERNETES_CLUSTER_NAME,
    allowInsecureTls: e.KUBERNETES_ALLOW_INSECURE_TLS,
    checkWaitMs: e.CLUSTER_CHECK_WAIT_MS,
    recheckIntervalMs: e.CLUSTER_RECHECK_INTERVAL_MS,
    controlPlane: {
      ...(e.KUBERNETES_CONTROL_PLANE_NAMESPACE ? { namespace: e.KUBERNETES_CONTROL_PLANE_NAMESPACE } : {}),
      cidrs: listOf(e.KUBERNETES_CONTROL_PLANE_CIDRS).map((cidr) =>
        cidrOrFail("KUBERNETES_CONTROL_PLANE_CIDRS", cidr),
      ),
    },
    nodeAddress: e.KUBERNETES_NODE_ADDRESS || undefined,
    egressAllow: {
      standard: egressList("KUBERNETES_EGRESS_ALLOW", e.KUBERNETES_EGRESS_ALLOW),
      nemoclaw: egressList("KUBERNETES_NEMOCLAW_EGRESS_ALLOW", e.KUBERNETES_NEMOCLAW_EGRESS_ALLOW),
    },
  };
}

export interface EgressAllow {
  cidr: string;
  ports: number[];
}

const listOf = (value: string) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

function cidrOrFail(name: string, value: string): string {
  const match = /^(.+)\/(\d{1,3})$/.exec(value);
  const family = match ? isIP(match[1] as string) : 0;
  if (!match || family === 0 || Number(match[2]) > (family === 4 ? 32 : 128)) {
    throw new ConfigError(`${name}: "${value}" is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  return value;
}

/** `CIDR` or `CIDR:PORT` entries, comma-separated; one CIDR may repeat with more ports. */
function egressList(name: string, value: string): EgressAllow[] {
  const byCidr = new Map<string, Set<number>>();
  for (const entry of listOf(value)) {
    const match = /^(.+\/\d{1,3})(?::(\d{1,5}))?$/.exec(entry);
    const cidr = cidrOrFail(name, match?.[1] ?? entry);
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    if (port !== undefined && (port < 1 || port > 65535)) {
      throw new ConfigError(`${name}: port ${port} of "${entry}" is not 1..65535`);
    }
    const ports = byCidr.get(cidr) ?? new Set<number>();
    if (port !== undefined) ports.add(port);
    else ports.add(0);
    byCidr.set(cidr, ports);
  }
  // 0 marks "every port": it wins over single ports of the same CIDR.
  return [...byCidr].map(([cidr, ports]) => ({
    cidr,
    ports: ports.has(0) ? [] : [...ports].sort((a, b) => a - b),
  }));
}

/**
 * ENABLED_DEPLOY_TARGETS, or its deprecated name ENABLED_BACKENDS when it is unset. Either way the
 * old name earns a boot warning (the services log config.warnings once their logger exists).
 */
function deployTargetsSetting(
  current: string | undefined,
  deprecated: string | undefined,
  warnings: string[],
): { ENABLED_DEPLOY_TARGETS?: string; ENABLED_BACKENDS?: string } {
  if (current) {
    if (deprecated) {
      warnings.push("ENABLED_BACKENDS is ignored: ENABLED_DEPLOY_TARGETS is set (remove ENABLED_BACKENDS)");
    }
    return { ENABLED_DEPLOY_TARGETS: current };
  }
  if (deprecated) {
    warnings.push("ENABLED_BACKENDS is deprecated; rename it to ENABLED_DEPLOY_TARGETS");
    return { ENABLED_BACKENDS: deprecated };
  }
  return {};
}

const CAPTCHA_VERIFY_URLS = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
  recaptcha: "https://www.google.com/recaptcha/api/siteverify",
} as const;

function parseCaptcha(
  provider: string,
  siteKey: string | undefined,
  secretKey: string | undefined,
  verifyUrl: string | undefined,
): Config["identity"]["captcha"] {
  if (provider === "none" || provider === "") return undefined;
  if (provider !== "turnstile" && provider !== "recaptcha")
    throw new ConfigError(`CAPTCHA_PROVIDER ${provider} is unknown`);
  if (!siteKey || !secretKey) {
    throw new ConfigError(`CAPTCHA_PROVIDER=${provider} needs CAPTCHA_SITE_KEY and CAPTCHA_SECRET_KEY`);
  }
  return { provider, siteKey, secretKey, verifyUrl: verifyUrl || CAPTCHA_VERIFY_URLS[provider] };
}

function parseBootstrapAdmin(email: string | undefined, password: string | undefined) {
  if (!email && !password) return undefined;
  if (!email || !password) {
    throw new ConfigError(
      "NORA_BOOTSTRAP_ADMIN_EMAIL and NORA_BOOTSTRAP_ADMIN_PASSWORD must be set together",
    );
  }
  if (!z.email().safeParse(email).success)
    throw new ConfigError("NORA_BOOTSTRAP_ADMIN_EMAIL is not an email address");
  if (password.length < 12)
    throw new ConfigError("NORA_BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters");
  if (isPlaceholderSecret(password)) throw new ConfigError("NORA_BOOTSTRAP_ADMIN_PASSWORD is a placeholder");
  return { email: email.trim().toLowerCase(), password };
}

/** Loads the config or ends the process with exit code 1 and a one-line reason on stderr. */
export function loadConfigOrExit(service: string, source?: RawEnv): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`nora ${service}: refusing to start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
