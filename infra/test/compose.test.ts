import { access, copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv, REPO_ROOT, required, run, tool } from "./support.js";

const compose = tool("docker-compose");
// docker-compose 1.x prints YAML only; its own dependency PyYAML turns that into JSON for the checks.
const python = tool("python3");
const bash = tool("bash");

const SERVICES = [
  "admin-dashboard",
  "backend-api",
  "frontend-dashboard",
  "frontend-marketing",
  "nginx",
  "postgres",
  "redis",
  "worker-backup",
  "worker-provisioner",
];
const NODE_SERVICES = SERVICES.filter((name) => !["nginx", "postgres", "redis"].includes(name));
const APPS = ["frontend-marketing", "frontend-dashboard", "admin-dashboard"];

type Obj = Record<string, unknown>;

function obj(value: unknown, what: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} is not a mapping`);
  return value as Obj;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

async function stackDir(withEnv: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nora-compose-"));
  await copyFile(join(REPO_ROOT, "docker-compose.yml"), join(dir, "docker-compose.yml"));
  await copyFile(join(REPO_ROOT, "nginx.conf"), join(dir, "nginx.conf"));
  if (withEnv) {
    const setup = await run(required(bash, "bash"), [
      join(REPO_ROOT, "infra/setup.sh"),
      "--env-file",
      join(dir, ".env"),
    ]);
    if (setup.code !== 0) throw new Error(`infra/setup.sh failed: ${setup.stderr}`);
  }
  return dir;
}

function dockerCompose(dir: string, args: readonly string[]) {
  // A fixed project name keeps the output independent of the temp dir's name.
  return run(required(compose, "docker-compose"), ["--project-name", "nora", ...args], { cwd: dir });
}

describe.skipIf(compose.skip || python.skip || bash.skip)(
  `docker-compose.yml${compose.note}${python.note}${bash.note}`,
  () => {
    let dir = "";
    let services: Record<string, Obj> = {};
    let networks: Obj = {};
    let env = new Map<string, string>();

    beforeAll(async () => {
      dir = await stackDir(true);
      env = parseEnv(await readFile(join(dir, ".env"), "utf8"));
      const rendered = await dockerCompose(dir, ["config"]);
      if (rendered.code !== 0) throw new Error(`docker-compose config failed: ${rendered.stderr}`);
      const json = await run(
        required(python, "python3"),
        ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
        { input: rendered.stdout },
      );
      if (json.code !== 0) throw new Error(`cannot convert the compose config to JSON: ${json.stderr}`);
      const config = obj(JSON.parse(json.stdout), "compose config");
      services = Object.fromEntries(
        Object.entries(obj(config.services, "services")).map(([name, value]) => [name, obj(value, name)]),
      );
      networks = obj(config.networks, "networks");
    });

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("passes docker-compose config -q with a .env from infra/setup.sh, without warnings", async () => {
      const result = await dockerCompose(dir, ["config", "-q"]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/warning/i);
    });

    it("fails loudly without .env, pointing at infra/setup.sh", async () => {
      const bare = await stackDir(false);
      try {
        const result = await dockerCompose(bare, ["config", "-q"]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("run infra/setup.sh to create .env");
      } finally {
        await rm(bare, { recursive: true, force: true });
      }
    });

    it("defines exactly the stack's services", () => {
      expect(Object.keys(services).sort()).toEqual(SERVICES);
    });

    it("publishes a port from nginx only, on 127.0.0.1 by default", () => {
      for (const [name, service] of Object.entries(services)) {
        if (name !== "nginx") expect(service.ports, name).toBeUndefined();
      }
      expect(strings(services.nginx?.ports)).toEqual(["127.0.0.1:8080:8080/tcp"]);
    });

    it("drops every capability and forbids privilege escalation everywhere", () => {
      for (const [name, service] of Object.entries(services)) {
        expect(strings(service.security_opt), name).toContain("no-new-privileges:true");
        expect(strings(service.cap_drop), name).toEqual(["ALL"]);
        expect(strings(service.cap_add), name).toEqual([]);
        expect(service.privileged, name).toBeUndefined();
      }
    });

    it("runs every service as a non-root user, on a read-only root where it can", () => {
      expect(services.postgres?.user).toBe("999:999");
      expect(services.redis?.user).toBe("999:999");
      expect(services.nginx?.user).toBe("101:101");
      for (const name of [...NODE_SERVICES, "nginx", "redis"])
        expect(services[name]?.read_only, name).toBe(true);
    });

    it("pins every image to a version, never latest", () => {
      for (const [name, service] of Object.entries(services)) {
        const image = String(service.image ?? "");
        expect(image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
        expect(image, name).not.toMatch(/:latest$/);
      }
      expect(services.postgres?.image).toMatch(/^postgres:15\.\d+-bookworm$/);
      expect(services.redis?.image).toMatch(/^redis:7\.\d+\.\d+-bookworm$/);
      expect(services.nginx?.image).toMatch(/^nginx:1\.\d+\.\d+-bookworm$/);
    });

    it("gives every service a healthcheck, and orders start-up on health", () => {
      for (const [name, service] of Object.entries(services)) {
        const healthcheck = obj(service.healthcheck, `${name}.healthcheck`);
        expect(healthcheck.disable, name).toBeUndefined();
        expect(strings(healthcheck.test)[0], name).toMatch(/^CMD(-SHELL)?$/);
      }
      const dependsOn = (name: string) => obj(services[name]?.depends_on, `${name}.depends_on`);
      for (const [name, deps] of [
        ["backend-api", ["postgres", "redis"]],
        ["worker-provisioner", ["backend-api"]],
        ["worker-backup", ["backend-api"]],
        ["nginx", ["backend-api", ...APPS]],
      ] as const) {
        for (const dep of deps)
          expect(dependsOn(name)[dep], `${name} → ${dep}`).toEqual({ condition: "service_healthy" });
      }
    });

    it("keeps PostgreSQL and Redis on the internal backend network only", () => {
      expect(obj(networks.backend, "backend").internal).toBe(true);
      expect(obj(networks.frontend, "frontend").internal).toBe(true);
      for (const name of ["postgres", "redis"]) {
        expect(Object.keys(obj(services[name]?.networks, name))).toEqual(["backend"]);
      }
      for (const name of APPS) expect(Object.keys(obj(services[name]?.networks, name))).toEqual(["frontend"]);
      expect(Object.keys(obj(services.nginx?.networks, "nginx")).sort()).toEqual(["edge", "frontend"]);
    });

    it("wires the API and workers to the bundled stores with the generated passwords", () => {
      for (const name of ["backend-api", "worker-provisioner", "worker-backup"]) {
        const environment = obj(services[name]?.environment, name);
        expect(environment.DATABASE_URL, name).toBe(
          `postgres://nora:${env.get("POSTGRES_PASSWORD")}@postgres:5432/nora`,
        );
        expect(environment.REDIS_URL, name).toBe("redis://redis:6379");
        expect(environment.REDIS_PASSWORD, name).toBe(env.get("REDIS_PASSWORD"));
        expect(environment.JWT_SECRET, name).toBe(env.get("JWT_SECRET"));
      }
      expect(obj(services["backend-api"]?.environment, "api").API_HOST).toBe("0.0.0.0");
      for (const name of ["worker-provisioner", "worker-backup"]) {
        expect(obj(services[name]?.environment, name).WORKER_HEALTH_HOST).toBe("0.0.0.0");
      }
      expect(strings(services.redis?.command)).toContain(env.get("REDIS_PASSWORD"));
    });

    it("builds each Node service from its workspace with that workspace's start entry", async () => {
      for (const name of NODE_SERVICES) {
        const build = obj(services[name]?.build, `${name}.build`);
        const args = obj(build.args, `${name}.build.args`);
        const dockerfile = String(build.dockerfile);
        await expect(access(join(REPO_ROOT, dockerfile)), name).resolves.toBeUndefined();
        if (APPS.includes(name)) {
          expect(dockerfile, name).toBe("infra/docker/next-app.Dockerfile");
          expect(args.APP, name).toBe(name);
          continue;
        }
        expect(dockerfile, name).toBe("infra/docker/service.Dockerfile");
        const pkg = JSON.parse(
          await readFile(join(REPO_ROOT, String(args.WORKSPACE), "package.json"), "utf8"),
        ) as {
          scripts: Record<string, string>;
        };
        expect(pkg.scripts.start, name).toBe(`node ${String(args.ENTRY)}`);
        expect(String(services[name]?.image), name).toBe(`nora/${name}:local`);
      }
    });

    it("gives the Docker socket to the provisioner only; the API reaches agents over their networks", () => {
      for (const [name, service] of Object.entries(services)) {
        const mounts = strings(service.volumes).filter((v) => v.includes("docker.sock"));
        expect(mounts, name).toEqual(
          name === "worker-provisioner" ? ["/var/run/docker.sock:/var/run/docker.sock:rw"] : [],
        );
        expect(service.privileged, name).toBeUndefined();
      }
      expect(obj(services["worker-provisioner"]?.environment, "provisioner").DOCKER_AGENT_ACCESS).toBe(
        "network",
      );
      expect(obj(services["backend-api"]?.labels, "api labels")["org.nora.agent-peer"]).toBe("true");
    });

    it("gives the apps no environment from .env, so no secrets", () => {
      for (const name of APPS) expect(services[name]?.environment, name).toBeUndefined();
    });
  },
);
