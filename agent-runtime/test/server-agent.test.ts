import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleRuntime } from "../src/environment.js";
import { alive, deliverAssembly, json, makeRuntimeDirs, startRuntime, waitFor } from "./support.js";

interface Metrics {
  agent: { state: string; pid: number | null; restarts: number; lastExit: { code: number | null } | null };
}

/** A stand-in agent that logs which provider key it was started with, then runs until stopped. */
const REPORTING_AGENT = [
  process.execPath,
  "-e",
  "const e = process.env; console.log('started key=' + (e.NORA_PROVIDER_LOCAL_API_KEY ?? '-') + ' gw=' + (e.OPENCLAW_GATEWAY_TOKEN ? 'set' : '-')); setInterval(() => {}, 1000);",
];

async function writeAssembly(dirs: { bootstrap: string; secrets: string }, apiKey: string): Promise<void> {
  const assembly = assembleRuntime({
    agent: { agentId: "agt_1", name: "t", family: "openclaw", template: { "AGENTS.md": "seeded\n" } },
    secrets: { runtimeToken: "r".repeat(40), gatewayToken: "g".repeat(40) },
    providers: [
      {
        id: "local",
        api: "openai-completions",
        baseUrl: "http://127.0.0.1:1/v1",
        apiKey,
        models: [{ id: "m1" }],
      },
    ],
  });
  await deliverAssembly(dirs, assembly);
}

describe("agent supervision", () => {
  it("renders the config, seeds the workspace and gives the agent its secret environment", async () => {
    const dirs = await makeRuntimeDirs();
    await writeAssembly(dirs, "key-from-bootstrap");
    const runtime = await startRuntime({ dirs, agentCommand: REPORTING_AGENT });
    try {
      const log = await waitFor(async () => {
        const text = await readFile(join(dirs.logs, "agent.log"), "utf8").catch(() => "");
        return text.includes("started") ? text : undefined;
      });
      expect(log).toContain("started key=key-from-bootstrap gw=set");
      expect(await readFile(join(dirs.workspace, "AGENTS.md"), "utf8")).toBe("seeded\n");
      const rendered = JSON.parse(await readFile(join(dirs.state, "config/openclaw.json"), "utf8"));
      expect(rendered.models.providers.local.apiKey).toBe(`\${NORA_PROVIDER_LOCAL_API_KEY}`);
      expect((await stat(join(dirs.state, "config/openclaw.json"))).mode & 0o777).toBe(0o600);
      // The server's own environment never held the key; `/exec` commands do not get it.
      const exec = await (await runtime.call("/exec", json({ argv: ["env"] }))).json();
      expect(JSON.stringify(exec)).not.toContain("key-from-bootstrap");
    } finally {
      await runtime.stop();
      await rm(dirs.base, { recursive: true, force: true });
    }
  });

  it("restarts a crashing agent with backoff", async () => {
    const runtime = await startRuntime({
      agentCommand: [process.execPath, "-e", "console.log('boom'); process.exit(7)"],
    });
    try {
      const metrics = await waitFor(async () => {
        const m = (await (await runtime.call("/metrics")).json()) as Metrics;
        return m.agent.restarts >= 3 ? m : undefined;
      });
      expect(metrics.agent.lastExit?.code).toBe(7);
      const log = await readFile(join(runtime.dirs.logs, "agent.log"), "utf8");
      expect(log.match(/boom/g)?.length).toBeGreaterThanOrEqual(3);
      expect(log).toContain("[nora] agent exited (code 7");
    } finally {
      await runtime.stop();
    }
  });

  it("applies a provider sync in OpenClaw's format and restarts the agent with the new key", async () => {
    const dirs = await makeRuntimeDirs();
    await writeAssembly(dirs, "old-key");
    const runtime = await startRuntime({ dirs, agentCommand: REPORTING_AGENT });
    try {
      const first = await waitFor(async () => {
        const m = (await (await runtime.call("/metrics")).json()) as Metrics;
        return m.agent.pid ?? undefined;
      });
      const response = await runtime.call(
        "/providers/sync",
        json({
          providers: [
            {
              id: "local",
              api: "openai-completions",
              baseUrl: "http://127.0.0.1:2/v1",
              apiKey: "new-key",
              models: [{ id: "m2" }],
            },
          ],
          defaultModel: "local/m2",
        }),
      );
      expect(await response.json()).toEqual({ applied: true, restarted: true, providers: ["local"] });
      expect(alive(first)).toBe(false);
      await waitFor(async () =>
        (await readFile(join(dirs.logs, "agent.log"), "utf8")).includes("key=new-key") ? true : undefined,
      );
      const rendered = JSON.parse(await readFile(join(dirs.state, "config/openclaw.json"), "utf8"));
      expect(rendered.models.providers.local.baseUrl).toBe("http://127.0.0.1:2/v1");
      expect(rendered.agents.defaults.model.primary).toBe("local/m2");
      expect(JSON.stringify(rendered)).not.toContain("new-key");
      expect((await stat(join(dirs.state, "nora/providers.json"))).mode & 0o777).toBe(0o600);
      const bad = await runtime.call("/providers/sync", json({ providers: [], defaultModel: "local/zzz" }));
      expect(bad.status).toBe(400);
    } finally {
      await runtime.stop();
    }
    // The sync survives a restart of the runtime…
    const again = await startRuntime({ dirs, agentCommand: REPORTING_AGENT });
    await again.stop();
    expect(
      JSON.parse(await readFile(join(dirs.state, "config/openclaw.json"), "utf8")).agents.defaults.model
        .primary,
    ).toBe("local/m2");
    // …until a redeploy brings a different bootstrap.
    await writeAssembly(dirs, "redeployed-key");
    const redeployed = await startRuntime({ dirs, agentCommand: REPORTING_AGENT });
    await redeployed.stop();
    expect(
      JSON.parse(await readFile(join(dirs.state, "config/openclaw.json"), "utf8")).agents.defaults.model
        .primary,
    ).toBe("local/m1");
    await rm(dirs.base, { recursive: true, force: true });
  });

  it("stops the agent's whole process group on SIGTERM and exits 0", async () => {
    const runtime = await startRuntime({
      agentCommand: ["sh", "-c", "sleep 300 & echo $!; wait"],
    });
    const child = await waitFor(async () => {
      const text = await readFile(join(runtime.dirs.logs, "agent.log"), "utf8").catch(() => "");
      const pid = Number(text.trim().split("\n")[0]);
      return pid > 0 ? pid : undefined;
    });
    expect(alive(child)).toBe(true);
    expect(await runtime.stop()).toBe(0);
    await waitFor(() => (alive(child) ? undefined : true), 3000);
  });

  it("reports info and metrics", async () => {
    const runtime = await startRuntime();
    try {
      const info = (await (await runtime.call("/info")).json()) as Record<string, unknown>;
      expect(info).toMatchObject({
        family: "openclaw",
        agentId: "agt_test",
        versions: { node: process.versions.node, runtimeServer: "0.1.0", agent: "0.1.0" },
      });
      expect(info).toHaveProperty("cpu.count");
      expect(info).toHaveProperty("memory.totalBytes");
      expect(info).toHaveProperty("disk.workspace.freeBytes");
      const metrics = (await (await runtime.call("/metrics")).json()) as Record<string, unknown>;
      expect(metrics).toMatchObject({ agent: { state: "disabled" }, gateway: null });
    } finally {
      await runtime.stop();
    }
  });
});

describe("Hermes runtime files and processes", () => {
  /** A stand-in process that logs which of the agent's secrets its environment carries. */
  const reporter = (label: string): string[] => [
    process.execPath,
    "-e",
    `const e = process.env; console.log('${label} key=' + e.NORA_PROVIDER_LOCAL_API_KEY + ' other=' + e.NORA_PROVIDER_OTHER_API_KEY + ' api=' + (e.API_SERVER_KEY ? 'set' : 'unset') + ' dashboard-secret=' + (e.HERMES_DASHBOARD_BASIC_AUTH_SECRET ? 'set' : 'unset')); setInterval(() => {}, 1000);`,
  ];

  it("renders config.yaml, runs the gateway and the dashboard, and a provider sync restarts both with the new keys", async () => {
    const dirs = await makeRuntimeDirs();
    const gatewayToken = "g".repeat(40);
    const assembly = assembleRuntime({
      agent: { agentId: "agt_h", name: "h", family: "hermes" },
      secrets: { runtimeToken: "r".repeat(40), gatewayToken },
      providers: [
        {
          id: "local",
          api: "openai-completions",
          baseUrl: "http://127.0.0.1:1/v1",
          apiKey: "k1",
          models: [{ id: "m1" }],
        },
      ],
    });
    for (const file of assembly.files) {
      await mkdir(join(dirs.bootstrap, file.path, ".."), { recursive: true });
      await writeFile(join(dirs.bootstrap, file.path), file.content);
    }
    const agentEnv = assembly.secretFiles.find((f) => f.path === "agent-env.json")?.content ?? "{}";
    await writeFile(join(dirs.secrets, "agent-env.json"), agentEnv, { mode: 0o600 });
    const runtime = await startRuntime({
      dirs,
      env: { NORA_RUNTIME_FAMILY: "hermes" },
      agentCommand: reporter("gateway"),
      dashboardCommand: reporter("dashboard"),
    });
    const logOf = (name: string) => readFile(join(dirs.logs, name), "utf8").catch(() => "");
    try {
      const configText = async () =>
        (await (await runtime.call("/files/content?root=config&path=config.yaml")).json()) as {
          content: string;
        };
      expect((await configText()).content).toContain('"provider": "custom:local"');
      // The gateway runs the agent's tools: it gets the keys but not the dashboard's login secrets.
      await waitFor(async () =>
        (await logOf("agent.log")).includes("gateway key=k1 other=undefined api=set dashboard-secret=unset")
          ? true
          : undefined,
      );
      await waitFor(async () =>
        (await logOf("dashboard.log")).includes(
          "dashboard key=k1 other=undefined api=set dashboard-secret=set",
        )
          ? true
          : undefined,
      );
      const dashboardLog = await runtime.call("/logs?process=dashboard&tail=10");
      expect(await dashboardLog.text()).toContain("dashboard key=k1");
      const before = (await (await runtime.call("/metrics")).json()) as {
        agent: { restarts: number };
        dashboardProcess: { state: string; restarts: number };
      };
      expect(before.dashboardProcess.state).toBe("running");

      const sync = await runtime.call(
        "/providers/sync",
        json({
          providers: [
            {
              id: "other",
              api: "anthropic-messages",
              baseUrl: "http://127.0.0.1:3",
              apiKey: "k2",
              models: [{ id: "m9", contextWindow: 200000 }],
            },
          ],
        }),
      );
      expect(sync.status).toBe(200);
      const synced = (await configText()).content;
      expect(synced).toContain('"default": "m9"');
      expect(synced).toContain('"provider": "custom:other"');
      expect(synced).toContain('"api_mode": "anthropic_messages"');
      expect(synced).toContain('"context_length": 200000');
      expect(synced).not.toContain("k2");
      await waitFor(async () =>
        (await logOf("agent.log")).includes("gateway key=k1 other=k2") ? true : undefined,
      );
      await waitFor(async () =>
        (await logOf("dashboard.log")).includes("dashboard key=k1 other=k2") ? true : undefined,
      );
      const after = (await (await runtime.call("/metrics")).json()) as typeof before;
      expect(after.agent.restarts).toBe(before.agent.restarts + 1);
      expect(after.dashboardProcess.restarts).toBe(before.dashboardProcess.restarts + 1);

      // A model below Hermes' minimum context is refused and changes nothing.
      const small = await runtime.call(
        "/providers/sync",
        json({
          providers: [
            {
              id: "tiny",
              api: "openai-completions",
              baseUrl: "http://127.0.0.1:4",
              apiKey: "k3",
              models: [{ id: "t1", contextWindow: 8000 }],
            },
          ],
        }),
      );
      expect(small.status).toBe(400);
      expect(((await small.json()) as { message: string }).message).toMatch(/64000/);
      expect((await configText()).content).toBe(synced);
    } finally {
      await runtime.stop();
      await rm(dirs.base, { recursive: true, force: true });
    }
  });

  it("has no dashboard log on a family without a dashboard", async () => {
    const runtime = await startRuntime();
    try {
      const response = await runtime.call("/logs?process=dashboard");
      expect(response.status).toBe(404);
      const metrics = (await (await runtime.call("/metrics")).json()) as Record<string, unknown>;
      expect(metrics).toMatchObject({ dashboardProcess: null, dashboard: null });
    } finally {
      await runtime.stop();
    }
  });
});
