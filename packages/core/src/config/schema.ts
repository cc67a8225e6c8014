import { isIP } from "node:net";
import { z } from "zod";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v === "true" || v === "1" || v === "yes"));

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: "custom", message: "must be a whole number" });
        return z.NEVER;
      }
      return Number(v);
    })
    .pipe(z.number().int().min(min).max(max));

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );

const byteSize = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v))
    .pipe(z.string().regex(/^\d+(b|kb|mb)$/i, "must look like 512kb or 1mb"));

const url = (fallback: string, protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v))
    .pipe(
      z.string().refine(
        (v) => {
          try {
            return protocols.includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        `must be a URL with protocol ${protocols.join(" or ")}`,
      ),
    );

function isCidr(text: string): boolean {
  const [address, bits, ...rest] = text.split("/");
  if (rest.length > 0 || !address || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

const cidrList = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v === undefined ? fallback : v)
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    )
    .pipe(z.array(z.string().refine(isCidr, "must list CIDRs such as 10.0.0.0/8 or fd00::/8")));

function isPortRange(text: string): boolean {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) return false;
  const first = Number(match[1]);
  const last = Number(match[2] ?? match[1]);
  return first >= 1 && last <= 65_535 && first <= last;
}

const portRangeList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  )
  .pipe(z.array(z.string().refine(isPortRange, "must list ports or ranges such as 9090,20000-29999")));

/** Every environment variable Nora reads. docs/configuration.md and .env.example list the same names. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: int(4000, 0, 65535),
  PUBLIC_URL: url("http://127.0.0.1:8080", ["http:", "https:"]),
  CORS_ORIGINS: list,
  TRUST_PROXY_HOPS: int(1, 0, 10),
  HSTS_ENABLED: z.enum(["true", "false", "auto", ""]).default("auto"),
  JSON_BODY_LIMIT: byteSize("1mb"),
  JSON_MAX_DEPTH: int(32, 2, 256),
  AGENT_FILE_UPLOAD_MAX_BYTES: int(50 * 1024 * 1024, 1),
  GATEWAY_PROXY_REQUEST_MAX_BYTES: int(10 * 1024 * 1024, 1),
  GATEWAY_PROXY_RESPONSE_MAX_BYTES: int(100 * 1024 * 1024, 1),
  GATEWAY_PROXY_CONNECT_TIMEOUT_MS: int(5_000, 100, 120_000),
  GATEWAY_PROXY_IDLE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  GATEWAY_PROXY_WEB_UIS: bool(false),
  GATEWAY_PROXY_WS_MAX_FRAME_BYTES: int(16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  STREAMS_PER_USER_MAX: int(16, 1, 10_000),
  TERMINALS_PER_USER_MAX: int(4, 0, 1_000),
  STREAM_STALL_MS: int(15_000, 100, 600_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),

  RATE_LIMIT_ENABLED: bool(true),
  RATE_LIMIT_GLOBAL_PER_MINUTE: int(600, 1),
  RATE_LIMIT_GLOBAL_BURST: int(120, 1),
  RATE_LIMIT_MUTATING_PER_MINUTE: int(120, 1),
  RATE_LIMIT_MUTATING_BURST: int(30, 1),
  RATE_LIMIT_AUTH_PER_MINUTE: int(30, 1),
  RATE_LIMIT_AUTH_BURST: int(5, 1),

  DATABASE_URL: url("postgres://nora:nora@127.0.0.1:5432/nora", ["postgres:", "postgresql:"]),
  DATABASE_POOL_MAX: int(10, 1, 200),
  DATABASE_STATEMENT_TIMEOUT_MS: int(15_000, 0),
  REDIS_URL: url("redis://127.0.0.1:6379", ["redis:", "rediss:"]),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]{1,40}$/i)
    .default("nora"),

  JWT_SECRET: z.string().optional(),
  ENCRYPTION_KEY: z.string().optional(),
  ENCRYPTION_KEYS_PREVIOUS: list,
  NORA_ALLOW_PLAINTEXT_SECRETS: bool(false),

  SESSION_IDLE_TIMEOUT_HOURS: int(168, 1, 24 * 90),
  SESSION_MAX_AGE_DAYS: int(30, 1, 365),
  NORA_INSECURE_COOKIES: bool(false),
  NORA_API_KEY_HASH_SECRET: z.string().optional(),
  NORA_WORKSPACE_INVITE_SECRET: z.string().optional(),
  INVITATION_TTL_DAYS: int(7, 1, 90),
  EMAIL_VERIFICATION_TTL_HOURS: int(48, 1, 720),
  PASSWORD_RESET_TTL_MINUTES: int(30, 5, 1440),
  NORA_BOOTSTRAP_ADMIN_EMAIL: z.string().optional(),
  NORA_BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),

  SIGNUP_MODE: z.enum(["open", "invite", "closed", ""]).default("invite"),
  SIGNUP_BURST: int(3, 1, 1000),
  SIGNUP_PER_HOUR: int(10, 1, 100_000),
  SIGNUP_DAILY_LIMIT: int(20, 1, 1_000_000),
  CAPTCHA_PROVIDER: z.enum(["none", "turnstile", "recaptcha", ""]).default("none"),
  CAPTCHA_SITE_KEY: z.string().optional(),
  CAPTCHA_SECRET_KEY: z.string().optional(),
  CAPTCHA_VERIFY_URL: z.string().optional(),

  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GITHUB_OAUTH_URL: url("https://github.com", ["http:", "https:"]),
  GITHUB_API_URL: url("https://api.github.com", ["http:", "https:"]),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_ISSUER_URL: url("https://accounts.google.com", ["http:", "https:"]),

  SMTP_HOST: z.string().optional(),
  SMTP_PORT: int(587, 1, 65535),
  SMTP_SECURE: bool(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().optional(),
  SMTP_ALLOW_INSECURE_AUTH: bool(false),

  // Parsed and validated by the runtime catalog (@nora/agent-runtime) when the API and workers boot.
  ENABLED_RUNTIME_FAMILIES: z.string().optional(),
  ENABLED_DEPLOY_TARGETS: z.string().optional(),
  /** Deprecated name of ENABLED_DEPLOY_TARGETS, still read when the new one is unset. */
  ENABLED_BACKENDS: z.string().optional(),
  ENABLED_SANDBOX_PROFILES: z.string().optional(),

  NORA_OUTBOUND_ALLOWED_CIDRS: cidrList(""),
  /** Unset or empty: loopback plus DOCKER_AGENT_SUBNET_POOL (the networks Nora creates). Set: exactly this list. */
  GATEWAY_ALLOWED_CIDRS: cidrList("").optional(),
  /** Ports an agent's runtime, gateway or dashboard may be reached on. Unset or empty: derived, see loadConfig. */
  GATEWAY_ALLOWED_PORTS: portRangeList.optional(),

  DEPLOYMENT_WORKER_CONCURRENCY: int(6, 1, 100),
  /** Readiness probes of a new runtime (short backoff from 100 ms to 1 s) before it counts as failed. */
  DEPLOYMENT_READY_ATTEMPTS: int(150, 1, 10_000),
  DEPLOYMENT_BACKEND_READY_TIMEOUT_SECONDS: int(300, 5, 3_600),
  /** How long a deploy job's lock lives without renewal: a killed provisioner's job is retried after it. */
  DEPLOYMENT_JOB_LOCK_MS: int(30_000, 1_000, 600_000),
  /** How often the provisioner checks every unfinished deployment still has its job (and re-probes warnings). */
  DEPLOYMENT_SWEEP_INTERVAL_MS: int(15_000, 200, 3_600_000),

  AGENT_IMAGE_OPENCLAW: z.string().min(1).default("nora-runtime-openclaw:latest"),
  AGENT_IMAGE_HERMES: z.string().min(1).default("nora-runtime-hermes:latest"),
  AGENT_MAX_VCPU: int(8, 1, 256),
  AGENT_MAX_MEMORY_MB: int(32_768, 512, 1_048_576),
  AGENT_MAX_DISK_GB: int(200, 1, 65_536),
  AGENT_QUOTA_PER_WORKSPACE: int(20, 0, 100_000),

  DOCKER_SOCKET: z.string().min(1).default("/var/run/docker.sock"),
  DOCKER_AGENT_ACCESS: z.enum(["published", "network"]).default("published"),
  DOCKER_AGENT_BIND_IP: z.string().default("127.0.0.1"),
  DOCKER_AGENT_PORT_RANGE: z
    .string()
    .default("20000-29999")
    .pipe(z.string().regex(/^\d{4,5}-\d{4,5}$/, "must look like 20000-29999")),
  DOCKER_AGENT_SUBNET_POOL: z.string().default("10.213.0.0/16"),
  DOCKER_AGENT_PEER_LABEL: z
    .string()
    .default("org.nora.agent-peer=true")
    .pipe(z.string().regex(/^[a-z0-9._-]+=[A-Za-z0-9._-]+$/, "must look like key=value")),
  DOCKER_REMOVE_ORPHANS: bool(false),
  /** A kubeconfig file only the provisioner reads (the API never reads kubeconfigs). */
  KUBECONFIG_PATH: z.string().default(""),
  KUBERNETES_NAMESPACE: z
    .string()
    .default("nora-agents")
    .pipe(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name")),
  KUBERNETES_CLUSTER_NAME: z.string().default("default").pipe(z.string().min(1).max(100)),
  KUBERNETES_ALLOW_INSECURE_TLS: bool(false),
  /** Who may reach agents' ports (NetworkPolicy ingress): the control plane's namespace and/or CIDRs. */
  KUBERNETES_CONTROL_PLANE_NAMESPACE: z
    .string()
    .default("nora")
    .pipe(z.string().regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/, "must be a Kubernetes namespace name")),
  KUBERNETES_CONTROL_PLANE_CIDRS: z.string().default(""),
  /** NodePort clusters: the node address the control plane dials agents at. */
  KUBERNETES_NODE_ADDRESS: z
    .string()
    .default("")
    .refine(
      (v) => v === "" || isIP(v) !== 0 || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(v),
      "must be an IP address or a host name",
    ),
  /** Egress beyond DNS and 443 for `standard` agents, and the only egress `nemoclaw` agents get. */
  KUBERNETES_EGRESS_ALLOW: z.string().default(""),
  KUBERNETES_NEMOCLAW_EGRESS_ALLOW: z.string().default(""),
  /** How long POST /api/admin/clusters/:id/test waits for a provisioner's answer. */
  CLUSTER_CHECK_WAIT_MS: int(20_000, 500, 120_000),
  /** How often the provisioner re-checks every cluster (0: only at its start). */
  CLUSTER_RECHECK_INTERVAL_MS: int(300_000, 0, 86_400_000),
  BACKUP_WORKER_CONCURRENCY: int(2, 1, 100),
  ALERT_DELIVERY_WORKER_CONCURRENCY: int(5, 1, 100),
  ALERT_DELIVERY_ATTEMPTS: int(5, 1, 50),
  WORKER_HEALTH_HOST: z.string().default("127.0.0.1"),
  PROVISIONER_HEALTH_PORT: int(4101, 0, 65535),
  BACKUP_HEALTH_PORT: int(4102, 0, 65535),
});

export type ParsedEnv = z.infer<typeof envSchema>;
