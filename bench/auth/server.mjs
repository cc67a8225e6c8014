// The real app with every middleware (rate limits raised so they never refuse), seeded with one user,
// one session, one workspace and one API key. Sends the credentials to the parent over IPC.
const { BENCH_PATH, buildFullApp, seedAccount } = await import("../lib/full-app.mjs");
const { app, config, close } = await buildFullApp("nora_bench_auth");

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const { cookie, workspaceId, apiKey } = await seedAccount(base, config, ["workspaces:read"]);
  process.send({ base, cookie, apiKey, workspaceId, path: BENCH_PATH });
});
const stop = () => close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
