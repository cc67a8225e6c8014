// `npm test`: the whole check, the same on a laptop and in CI.
// Needs PostgreSQL (a role allowed to CREATE DATABASE) and Redis; Docker-backed tests need a Docker engine;
// Kubernetes tests (*.k8s.test.ts) need Go to build the test cluster (infra/test-cluster).
import { preflight } from "./lib/preflight.mjs";
import { run } from "./lib/run.mjs";
import { startTestClusterBuild } from "./lib/test-cluster-build.mjs";

// First, so a cold build overlaps everything below; the Kubernetes tests run last and wait for it.
const clusterBuild = startTestClusterBuild();
process.stdout.write(
  clusterBuild
    ? `── test cluster: building or reusing it in the background (log: ${clusterBuild.logPath})\n`
    : "── test cluster: go is not on the PATH; Kubernetes tests (*.k8s.test.ts) skip (fail under NORA_CI=1)\n",
);

const steps = [
  ["lint and format (biome)", "npx", ["biome", "check", "."]],
  ["type-check (tsc, sources and tests)", "npx", ["tsc", "-p", "tsconfig.check.json"]],
  ["type-check (tsc, browser code)", "npx", ["tsc", "-p", "packages/ui/tsconfig.check.json"]],
  ["build (turbo)", "npx", ["turbo", "run", "build", "--output-logs=errors-only"]],
  ["tests (vitest)", "npx", ["vitest", "run", ...process.argv.slice(2)]],
];

if (!(await preflight())) {
  process.stderr.write("\nnpm test needs PostgreSQL and Redis; see above.\n");
  process.exit(1);
}

for (const [name, command, args] of steps) {
  process.stdout.write(`\n── ${name}\n`);
  const started = Date.now();
  const code = await run(command, args);
  process.stdout.write(
    `── ${name}: ${code === 0 ? "ok" : `failed (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (code !== 0) {
    if (clusterBuild?.running()) {
      process.stdout.write(
        `── test cluster build continues in the background (log: ${clusterBuild.logPath})\n`,
      );
    }
    process.exit(code);
  }
}
if (clusterBuild && !clusterBuild.running() && clusterBuild.exit() !== 0) {
  process.stdout.write(
    `── test cluster build failed (${clusterBuild.exit()}); see ${clusterBuild.logPath}\n`,
  );
}
