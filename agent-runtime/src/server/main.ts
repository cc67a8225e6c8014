import { RUNTIME_LAYOUT } from "../layout.js";
import { createRuntimeServer } from "./app.js";
import { loadServerConfig } from "./config.js";

/** The runtime server's entry point: prepares the agent's files, listens, supervises the agent. */
async function main(): Promise<void> {
  const config = loadServerConfig(process.env);
  const baseEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined) baseEnv[name] = value;
  }
  baseEnv.TMPDIR ??= RUNTIME_LAYOUT.tmp;

  const runtime = createRuntimeServer(config, baseEnv);
  await runtime.agentFiles.prepare();
  await new Promise<void>((resolve, reject) => {
    runtime.server.once("error", reject);
    runtime.server.listen(config.port, config.host, resolve);
  });
  const address = runtime.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  process.stdout.write(
    `${JSON.stringify({ level: "info", msg: "runtime server listening", port, family: config.family, auth: config.runtimeToken !== null })}\n`,
  );
  runtime.supervisor.start();
  runtime.dashboard.start();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${JSON.stringify({ level: "info", msg: "shutting down", signal })}\n`);
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: "fatal", msg: "runtime server failed", error: String(error) })}\n`,
  );
  process.exit(1);
});
