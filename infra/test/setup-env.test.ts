import { chmod, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, REPO_ROOT, type RunResult, required, run, tool, withTempDir } from "./support.js";

const PLACEHOLDER = "change-me-generate-with-infra-setup-sh";
const SETUP = join(REPO_ROOT, "infra/setup.sh");
const EXAMPLE = join(REPO_ROOT, ".env.example");
const HEX_SECRET = /^[0-9a-f]{64}$/;

const bash = tool("bash");
const openssl = tool("openssl");

function setup(args: readonly string[]): Promise<RunResult> {
  required(openssl, "openssl");
  return run(required(bash, "bash"), [SETUP, ...args]);
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe.skipIf(bash.skip || openssl.skip)(`infra/setup.sh${bash.note}${openssl.note}`, () => {
  it("generates every placeholder secret and copies the other values from .env.example", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      const result = await setup(["--env-file", envFile, "--example", EXAMPLE]);
      expect(result.code, result.stderr).toBe(0);
      expect(await mode(envFile)).toBe(0o600);

      const exampleText = await readFile(EXAMPLE, "utf8");
      const example = parseEnv(exampleText);
      const envText = await readFile(envFile, "utf8");
      const env = parseEnv(envText);

      expect(envText).not.toContain(PLACEHOLDER);
      expect([...env.keys()]).toEqual([...example.keys()]);
      expect(envText.split("\n").length).toBe(exampleText.split("\n").length);

      const secrets = [...example].filter(([, value]) => value === PLACEHOLDER).map(([name]) => name);
      expect(secrets).toEqual(
        expect.arrayContaining(["JWT_SECRET", "ENCRYPTION_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"]),
      );
      for (const name of secrets) expect(env.get(name), name).toMatch(HEX_SECRET);
      expect(new Set(secrets.map((name) => env.get(name))).size).toBe(secrets.length);
      expect((env.get("JWT_SECRET") ?? "").length).toBeGreaterThanOrEqual(32);

      for (const [name, value] of example) {
        if (value !== PLACEHOLDER && name !== "DOCKER_GID") expect(env.get(name), name).toBe(value);
      }
      // The Docker socket's group is read from this host (999 where there is no socket).
      const socketGroup = await stat("/var/run/docker.sock").then(
        (s) => String(s.gid),
        () => "999",
      );
      expect(env.get("DOCKER_GID")).toBe(socketGroup);
    });
  });

  it("keeps every existing value on a re-run and adds variables new in the template", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      const example = join(dir, ".env.example");
      await writeFile(
        example,
        `# Public address\nPUBLIC_URL=http://localhost:8080\nJWT_SECRET=${PLACEHOLDER}\n`,
      );
      expect((await setup(["--env-file", envFile, "--example", example])).code).toBe(0);

      // The operator edits a value, adds a variable of their own and loosens the file mode.
      const edited = (await readFile(envFile, "utf8"))
        .replace("PUBLIC_URL=http://localhost:8080", "PUBLIC_URL=https://nora.example.test")
        .concat("OPERATOR_NOTE=kept\n");
      await writeFile(envFile, edited);
      await chmod(envFile, 0o644);

      const added = `# Seconds between health probes.\nPROBE_INTERVAL=15\n# A newly introduced secret.\nWEBHOOK_SECRET=${PLACEHOLDER}\n`;
      await writeFile(example, (await readFile(example, "utf8")) + added);
      const result = await setup(["--env-file", envFile, "--example", example]);
      expect(result.code, result.stderr).toBe(0);

      const after = await readFile(envFile, "utf8");
      expect(after.startsWith(edited)).toBe(true);
      const env = parseEnv(after);
      expect(env.get("PUBLIC_URL")).toBe("https://nora.example.test");
      expect(env.get("JWT_SECRET")).toBe(parseEnv(edited).get("JWT_SECRET"));
      expect(env.get("OPERATOR_NOTE")).toBe("kept");
      expect(env.get("PROBE_INTERVAL")).toBe("15");
      expect(env.get("WEBHOOK_SECRET")).toMatch(HEX_SECRET);
      expect(after).toContain("# Seconds between health probes.\nPROBE_INTERVAL=15\n");
      expect(await mode(envFile)).toBe(0o600);

      const again = await setup(["--env-file", envFile, "--example", example]);
      expect(again.code, again.stderr).toBe(0);
      expect(await readFile(envFile, "utf8")).toBe(after);
    });
  });

  it("derives PUBLIC_URL from the published address until it is customised, and prints it", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      const first = await setup(["--env-file", envFile, "--example", EXAMPLE]);
      expect(first.code, first.stderr).toBe(0);
      expect(parseEnv(await readFile(envFile, "utf8")).get("PUBLIC_URL")).toBe("http://127.0.0.1:8080");
      expect(first.stderr).toContain("the stack answers at http://127.0.0.1:8080");

      const moved = await setup([
        "--env-file",
        envFile,
        "--example",
        EXAMPLE,
        "--set",
        "NORA_HTTP_PORT=9080",
      ]);
      expect(moved.code, moved.stderr).toBe(0);
      expect(parseEnv(await readFile(envFile, "utf8")).get("PUBLIC_URL")).toBe("http://127.0.0.1:9080");
      expect(moved.stderr).toContain("the stack answers at http://127.0.0.1:9080");

      const wide = await setup([
        "--env-file",
        envFile,
        "--example",
        EXAMPLE,
        "--set",
        "NORA_BIND_ADDRESS=0.0.0.0",
      ]);
      expect(wide.stderr).toContain("set PUBLIC_URL to the address other machines type");

      const custom = (await readFile(envFile, "utf8")).replace(
        "PUBLIC_URL=http://127.0.0.1:9080",
        "PUBLIC_URL=https://nora.example.test",
      );
      await writeFile(envFile, custom);
      const kept = await setup(["--env-file", envFile, "--example", EXAMPLE, "--set", "NORA_HTTP_PORT=9090"]);
      expect(parseEnv(await readFile(envFile, "utf8")).get("PUBLIC_URL")).toBe("https://nora.example.test");
      expect(kept.stderr).toContain("the stack answers at https://nora.example.test");
    });
  });

  it("fills placeholders left in a hand-copied .env and leaves <NAME>_FILE secrets empty", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      const example = join(dir, ".env.example");
      await writeFile(example, `JWT_SECRET=${PLACEHOLDER}\nENCRYPTION_KEY=${PLACEHOLDER}\nLOG_LEVEL=info\n`);
      await writeFile(
        envFile,
        `JWT_SECRET=${PLACEHOLDER}\nENCRYPTION_KEY=\nENCRYPTION_KEY_FILE=/run/secrets/encryption_key\nLOG_LEVEL=debug\n`,
      );
      const result = await setup(["--env-file", envFile, "--example", example]);
      expect(result.code, result.stderr).toBe(0);
      const env = parseEnv(await readFile(envFile, "utf8"));
      expect(env.get("JWT_SECRET")).toMatch(HEX_SECRET);
      expect(env.get("ENCRYPTION_KEY")).toBe("");
      expect(env.get("ENCRYPTION_KEY_FILE")).toBe("/run/secrets/encryption_key");
      expect(env.get("LOG_LEVEL")).toBe("debug");
    });
  });

  it("takes a supplied value for a placeholder secret (a key restored from backup)", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      const restored = "ab".repeat(32);
      const result = await setup([
        "--env-file",
        envFile,
        "--example",
        EXAMPLE,
        "--set",
        `ENCRYPTION_KEY=${restored}`,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(parseEnv(await readFile(envFile, "utf8")).get("ENCRYPTION_KEY")).toBe(restored);
    });
  });

  it("refuses to replace a real secret and leaves .env untouched", async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, ".env");
      expect((await setup(["--env-file", envFile, "--example", EXAMPLE])).code).toBe(0);
      const before = await readFile(envFile, "utf8");

      for (const name of ["ENCRYPTION_KEY", "JWT_SECRET", "POSTGRES_PASSWORD"]) {
        const result = await setup([
          "--env-file",
          envFile,
          "--example",
          EXAMPLE,
          "--set",
          `${name}=${"cd".repeat(32)}`,
        ]);
        expect(result.code, name).not.toBe(0);
        expect(result.stderr).toContain(`${name} in ${envFile} already holds a secret`);
        expect(await readFile(envFile, "utf8")).toBe(before);
      }
    });
  });

  it("refuses a .env that is a symbolic link, and unknown arguments", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "elsewhere");
      await writeFile(target, "LOG_LEVEL=info\n");
      const link = join(dir, ".env");
      await symlink(target, link);
      const linked = await setup(["--env-file", link, "--example", EXAMPLE]);
      expect(linked.code).not.toBe(0);
      expect(linked.stderr).toContain("not a regular file");
      expect(await readFile(target, "utf8")).toBe("LOG_LEVEL=info\n");

      const unknown = await setup(["--overwrite"]);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain("unknown argument: --overwrite");
    });
  });
});
