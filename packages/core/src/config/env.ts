import { readFileSync } from "node:fs";

/** Variables whose value may instead be read from a file named by `<NAME>_FILE` (Docker/K8s secrets). */
export const SECRET_VARIABLES = [
  "JWT_SECRET",
  "ENCRYPTION_KEY",
  "ENCRYPTION_KEYS_PREVIOUS",
  "DATABASE_URL",
  "REDIS_URL",
  "REDIS_PASSWORD",
  "NORA_API_KEY_HASH_SECRET",
  "NORA_WORKSPACE_INVITE_SECRET",
  "NORA_BOOTSTRAP_ADMIN_PASSWORD",
  "CAPTCHA_SECRET_KEY",
  "GITHUB_CLIENT_SECRET",
  "GOOGLE_CLIENT_SECRET",
  "SMTP_PASSWORD",
] as const;

export type RawEnv = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Resolves `<NAME>_FILE` indirections for secret variables. Setting both forms is refused:
 * an operator who does so has two sources of truth and should pick one.
 */
export function resolveFileVariables(env: RawEnv, readFile: (path: string) => string = readText): RawEnv {
  const resolved: RawEnv = { ...env };
  for (const name of SECRET_VARIABLES) {
    const filePath = env[`${name}_FILE`];
    if (filePath === undefined || filePath === "") continue;
    if (env[name] !== undefined && env[name] !== "") {
      throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
    }
    try {
      resolved[name] = readFile(filePath).replace(/\r?\n$/, "");
    } catch {
      throw new ConfigError(`${name}_FILE points to ${filePath}, which cannot be read`);
    }
  }
  return resolved;
}

function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** The one place in the codebase that reads process.env. */
export function processEnv(): RawEnv {
  return process.env;
}
