import { z } from "zod";
import {
  buildHermesConfig,
  HERMES_API_SERVER_ENV,
  hermesModelIssues,
  hermesSecretEnv,
  serializeHermesConfig,
} from "./bootstrap/hermes.js";
import {
  buildOpenclawConfig,
  OPENCLAW_GATEWAY_TOKEN_ENV,
  openclawControlUiBasePath,
} from "./bootstrap/openclaw.js";
import {
  type AgentDesiredState,
  type AgentSecrets,
  agentDesiredStateSchema,
  agentSecretsSchema,
  checkProviders,
  overridesSchema,
  type ProviderMaterial,
  providerMaterialSchema,
  providerSecretEnv,
  type RuntimeOverrides,
} from "./bootstrap/schema.js";
import type { RuntimeFamily } from "./catalog.js";
import { BOOTSTRAP_FILES, RUNTIME_LAYOUT, SECRET_FILES, STATE_SUBDIRS } from "./layout.js";
import { NORA_GATEWAY_DEVICE_PUBLIC_KEY_ENV } from "./openclaw-device.js";

export interface RuntimeFile {
  /** Relative to the directory it is delivered into (bootstrap or secrets). */
  path: string;
  content: string;
  mode: number;
}

/**
 * Everything a backend needs to start one runtime. `env` is safe to show in `docker inspect` or a pod
 * spec; `secretFiles` must be delivered as files (mode 0600) or orchestrator secrets mounted at
 * RUNTIME_LAYOUT.secrets; `files` go read-only to RUNTIME_LAYOUT.bootstrap.
 */
export interface RuntimeAssembly {
  family: RuntimeFamily;
  env: Record<string, string>;
  files: RuntimeFile[];
  secretFiles: RuntimeFile[];
}

export interface AssembleInput {
  agent: AgentDesiredState;
  secrets: AgentSecrets;
  providers: readonly ProviderMaterial[];
  overrides?: RuntimeOverrides | undefined;
}

export class RuntimeAssemblyError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid runtime input: ${issues.join("; ")}`);
    this.name = "RuntimeAssemblyError";
    this.issues = issues;
  }
}

/** Names that look like they carry a secret may not be plain settings. */
const SECRET_LOOKING_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)/;

const inputSchema = z
  .object({
    agent: agentDesiredStateSchema,
    secrets: agentSecretsSchema,
    providers: z.array(providerMaterialSchema).max(50),
    overrides: overridesSchema.default({ env: {}, secretEnv: {} }),
  })
  .superRefine((value, ctx) => checkProviders(value.providers, value.agent.defaultModel, ctx));

const stateDir = (sub: string): string => `${RUNTIME_LAYOUT.state}/${sub}`;

/** The rendered config OpenClaw reads (written by the runtime server from the bootstrap file). */
export const OPENCLAW_RENDERED_CONFIG = `${stateDir(STATE_SUBDIRS.config)}/openclaw.json`;

function familyEnv(family: RuntimeFamily): Record<string, string> {
  if (family === "openclaw") {
    return {
      OPENCLAW_CONFIG_PATH: OPENCLAW_RENDERED_CONFIG,
      // The runtime server owns the config; the gateway must not rewrite it.
      OPENCLAW_CONFIG_READONLY: "1",
      OPENCLAW_STATE_DIR: stateDir(STATE_SUBDIRS.openclaw),
      OPENCLAW_DISABLE_BONJOUR: "1",
      OPENCLAW_NO_AUTO_UPDATE: "1",
      DO_NOT_TRACK: "1",
    };
  }
  return { HERMES_HOME: stateDir(STATE_SUBDIRS.hermes), ...HERMES_API_SERVER_ENV, DO_NOT_TRACK: "1" };
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(input)"}: ${issue.message}`);
}

/**
 * Produces a runtime's environment and bootstrap files from an agent's desired state, its providers
 * and operator overrides. Throws RuntimeAssemblyError on any invalid input.
 */
export function assembleRuntime(input: AssembleInput): RuntimeAssembly {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new RuntimeAssemblyError(issuesOf(parsed.error));
  const { agent, secrets, providers, overrides } = parsed.data;

  const env: Record<string, string> = {
    NORA_AGENT_ID: agent.agentId,
    NORA_RUNTIME_FAMILY: agent.family,
    ...familyEnv(agent.family),
    ...(agent.timezone === undefined ? {} : { TZ: agent.timezone }),
    ...(agent.family === "openclaw" && agent.gatewayDevicePublicKey !== undefined
      ? { [NORA_GATEWAY_DEVICE_PUBLIC_KEY_ENV]: agent.gatewayDevicePublicKey }
      : {}),
  };
  const secretEnv: Record<string, string> =
    agent.family === "openclaw"
      ? { [OPENCLAW_GATEWAY_TOKEN_ENV]: secrets.gatewayToken, ...providerSecretEnv(providers) }
      : hermesSecretEnv(providers, secrets.gatewayToken);

  const issues: string[] = agent.family === "hermes" ? hermesModelIssues(providers, agent.defaultModel) : [];
  for (const name of Object.keys(overrides.env)) {
    if (name.startsWith("NORA_") || name in env || name in secretEnv) {
      issues.push(`overrides.env.${name}: reserved by Nora`);
    } else if (SECRET_LOOKING_NAME.test(name)) {
      issues.push(`overrides.env.${name}: looks like a secret; pass it in overrides.secretEnv`);
    }
  }
  for (const name of Object.keys(overrides.secretEnv)) {
    if (name.startsWith("NORA_") || name in env || name in secretEnv) {
      issues.push(`overrides.secretEnv.${name}: reserved by Nora`);
    }
  }
  if (issues.length > 0) throw new RuntimeAssemblyError(issues);

  const files: RuntimeFile[] = [];
  if (agent.family === "openclaw") {
    const config = buildOpenclawConfig({
      providers,
      defaultModel: agent.defaultModel,
      allowedOrigins: agent.allowedOrigins,
      timezone: agent.timezone,
      controlUiBasePath: openclawControlUiBasePath(agent.agentId),
    });
    files.push({
      path: BOOTSTRAP_FILES.openclawConfig,
      content: `${JSON.stringify(config, null, 2)}\n`,
      mode: 0o644,
    });
  } else {
    const config = buildHermesConfig({
      providers,
      defaultModel: agent.defaultModel,
      timezone: agent.timezone,
    });
    files.push({ path: BOOTSTRAP_FILES.hermesConfig, content: serializeHermesConfig(config), mode: 0o644 });
  }
  for (const [path, content] of Object.entries(agent.template).sort(([a], [b]) => a.localeCompare(b))) {
    files.push({ path: `${BOOTSTRAP_FILES.templateDir}/${path}`, content, mode: 0o644 });
  }

  return {
    family: agent.family,
    env: { ...env, ...overrides.env },
    files,
    secretFiles: [
      { path: SECRET_FILES.runtimeToken, content: secrets.runtimeToken, mode: 0o600 },
      {
        path: SECRET_FILES.agentEnv,
        content: `${JSON.stringify({ ...secretEnv, ...overrides.secretEnv }, null, 2)}\n`,
        mode: 0o600,
      },
    ],
  };
}
