import { createHash } from "node:crypto";
import { cp, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  buildHermesConfig,
  parseHermesConfig,
  serializeHermesConfig,
  withHermesProviders,
} from "../bootstrap/hermes.js";
import { buildOpenclawConfig, openclawConfigSchema, withOpenclawProviders } from "../bootstrap/openclaw.js";
import {
  envNameSchema,
  type ProviderSync,
  providerSecretEnv,
  providerSyncSchema,
} from "../bootstrap/schema.js";
import type { RuntimeFamily } from "../catalog.js";
import { BOOTSTRAP_FILES, SECRET_FILES, STATE_SUBDIRS } from "../layout.js";
import { writeAtomic } from "./atomic.js";
import type { ServerDirs } from "./config.js";

const overlaySchema = z.object({ bootstrapHash: z.string(), sync: providerSyncSchema });

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * The agent's files in the runtime's own format. The control plane's bootstrap (read-only) is the
 * base; a provider sync is kept as an overlay on the state volume (mode 0600) and applies only to
 * the bootstrap it was made against, so a redeploy with new bootstrap files supersedes it.
 */
export class AgentFiles {
  readonly #family: RuntimeFamily;
  readonly #dirs: ServerDirs;

  constructor(family: RuntimeFamily, dirs: ServerDirs) {
    this.#family = family;
    this.#dirs = dirs;
  }

  /** The directory the agent reads its configuration from. */
  get configDir(): string {
    return join(this.#dirs.state, this.#family === "openclaw" ? STATE_SUBDIRS.config : STATE_SUBDIRS.hermes);
  }

  get #overlayPath(): string {
    return join(this.#dirs.state, STATE_SUBDIRS.nora, "providers.json");
  }

  get #bootstrapConfigPath(): string {
    const relative =
      this.#family === "openclaw" ? BOOTSTRAP_FILES.openclawConfig : BOOTSTRAP_FILES.hermesConfig;
    return join(this.#dirs.bootstrap, relative);
  }

  /** Creates the writable directories and seeds an unseeded workspace from the template. */
  async prepare(): Promise<void> {
    const nora = join(this.#dirs.state, STATE_SUBDIRS.nora);
    const home = join(this.#dirs.state, STATE_SUBDIRS.home);
    for (const dir of [this.#dirs.workspace, this.configDir, nora, home, this.#dirs.logs]) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
    }
    if (this.#family === "openclaw")
      await mkdir(join(this.#dirs.state, STATE_SUBDIRS.openclaw), { recursive: true });
    const marker = join(nora, "workspace-seeded");
    if ((await readOptional(marker)) === null) {
      const template = join(this.#dirs.bootstrap, BOOTSTRAP_FILES.templateDir);
      const present = await stat(template).then(
        (s) => s.isDirectory(),
        () => false,
      );
      // Existing files win: the template never overwrites the agent's own work.
      if (present)
        await cp(template, this.#dirs.workspace, { recursive: true, force: false, errorOnExist: false });
      await writeFile(marker, `${new Date().toISOString()}\n`);
    }
    await this.render();
  }

  /** Identifies one delivery of bootstrap files: the config and the secret environment. */
  async #bootstrapHash(): Promise<string> {
    const config = (await readOptional(this.#bootstrapConfigPath)) ?? "";
    const env = (await readOptional(join(this.#dirs.secrets, SECRET_FILES.agentEnv))) ?? "";
    return sha256(`${config}\0${env}`);
  }

  async #overlay(): Promise<ProviderSync | null> {
    const text = await readOptional(this.#overlayPath);
    if (text === null) return null;
    const parsed = overlaySchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.bootstrapHash !== (await this.#bootstrapHash())) return null;
    return parsed.data.sync;
  }

  /** Writes the agent's effective config from the bootstrap plus any current provider overlay. */
  async render(): Promise<void> {
    const bootstrapText = (await readOptional(this.#bootstrapConfigPath)) ?? "";
    const overlay = await this.#overlay();
    if (this.#family === "openclaw") {
      const base =
        bootstrapText === ""
          ? buildOpenclawConfig({ providers: [], allowedOrigins: [] })
          : openclawConfigSchema.parse(JSON.parse(bootstrapText));
      const config = overlay ? withOpenclawProviders(base, overlay.providers, overlay.defaultModel) : base;
      await writeAtomic(join(this.configDir, "openclaw.json"), `${JSON.stringify(config, null, 2)}\n`, 0o600);
    } else {
      const base =
        bootstrapText === "" ? buildHermesConfig({ providers: [] }) : parseHermesConfig(bootstrapText);
      const config = overlay ? withHermesProviders(base, overlay.providers, overlay.defaultModel) : base;
      await writeAtomic(join(this.configDir, "config.yaml"), serializeHermesConfig(config), 0o600);
    }
  }

  /** Records a provider sync and re-renders the config; the caller restarts the agent. */
  async sync(sync: ProviderSync): Promise<void> {
    const overlay = { bootstrapHash: await this.#bootstrapHash(), sync };
    await writeAtomic(this.#overlayPath, `${JSON.stringify(overlay)}\n`, 0o600);
    await this.render();
  }

  /** Secret environment for the agent: the bootstrap's, then the current provider overlay's. */
  async secretEnv(): Promise<Record<string, string>> {
    const text = await readOptional(join(this.#dirs.secrets, SECRET_FILES.agentEnv));
    const base = text === null ? {} : z.record(envNameSchema, z.string()).parse(JSON.parse(text));
    const overlay = await this.#overlay();
    if (overlay === null) return base;
    return { ...base, ...providerSecretEnv(overlay.providers) };
  }
}
