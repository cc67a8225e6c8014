// `npm start`: build what changed, then run the API and both workers against local PostgreSQL and
// Redis (or DATABASE_URL / REDIS_URL). Ctrl-C stops all three gracefully.
import { spawn } from "node:child_process";
import { preflight } from "./lib/preflight.mjs";
import { run } from "./lib/run.mjs";

const services = [
  ["api", "backend-api/dist/server.js"],
  ["provisioner", "workers/provisioner/dist/main.js"],
  ["backup", "workers/backup/dist/main.js"],
];

if (!(await preflight())) {
  process.stderr.write("\nnpm start needs PostgreSQL and Redis; see above.\n");
  process.exit(1);
}

const built = await run("npx", [
  "turbo",
  "run",
  "build",
  "--output-logs=errors-only",
  "--filter=@nora/backend-api",
  "--filter=@nora/worker-provisioner",
  "--filter=@nora/worker-backup",
]);
if (built !== 0) process.exit(built);

const env = { NODE_ENV: "development", ...process.env };
const children = services.map(([name, entry]) => {
  // Own process group: a terminal's Ctrl-C reaches only this script, which stops each service once.
  const child = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = `[${name}] `.padEnd(14);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.on("data", (chunk) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return { name, child };
});

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGTERM"));
process.on("exit", () => {
  for (const { child } of children) if (child.exitCode === null) child.kill("SIGKILL");
});
process.on("SIGTERM", () => stopAll("SIGTERM"));

const codes = await Promise.all(
  children.map(
    ({ name, child }) =>
      new Promise((resolve) =>
        child.on("exit", (code) => {
          if (!stopping) {
            process.stderr.write(`\n${name} exited with code ${code}; stopping the others\n`);
            stopAll("SIGTERM");
          }
          resolve(code ?? 1);
        }),
      ),
  ),
);
process.exit(codes.every((c) => c === 0) ? 0 : 1);
