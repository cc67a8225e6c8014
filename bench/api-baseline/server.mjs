// One benchmark target per process: `bare` (Express, one route, no middleware) or `full`
// (Nora's real app with every middleware, rate limiting on Redis and JSON logging to /dev/null).
// Both answer BENCH_PATH the same way; in `full` it sits behind every layer (see bench/lib/full-app.mjs).
import { createRequire } from "node:module";
import { BENCH_PATH, benchRouter } from "../lib/full-app.mjs";

const mode = process.argv[2];
const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const express = require("express");

let app;
let close = async () => {};
if (mode === "bare") {
  app = express();
  app.use(benchRouter());
} else if (mode === "full") {
  const { buildFullApp } = await import("../lib/full-app.mjs");
  ({ app, close } = await buildFullApp("nora_bench_baseline", {
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    ...(process.env.BENCH_RATE_LIMIT ? { RATE_LIMIT_ENABLED: process.env.BENCH_RATE_LIMIT } : {}),
  }));
} else {
  throw new Error("usage: server.mjs bare|full");
}

const server = app.listen(0, "127.0.0.1", () => {
  process.send?.({ port: server.address().port, path: BENCH_PATH });
});
const stop = () => close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
