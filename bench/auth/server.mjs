// The real app with every middleware (rate limits raised so they never refuse), seeded with one user,
// one session, one workspace and one API key. Sends the credentials to the parent over IPC.
const { BENCH_PATH, buildFullApp } = await import("../lib/full-app.mjs");
const { app, config, close } = await buildFullApp("nora_bench_auth");

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const origin = new URL(config.api.publicUrl).origin;
  const json = { "content-type": "application/json", origin };
  const email = "bench@example.org";
  const password = "bench password 1234";
  await fetch(`${base}/api/auth/signup`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const ws = await (
    await fetch(`${base}/api/workspaces`, {
      method: "POST",
      headers: { ...json, cookie },
      body: '{"name":"Bench"}',
    })
  ).json();
  const workspaceId = ws.workspace.id;
  const created = await (
    await fetch(`${base}/api/workspaces/${workspaceId}/api-keys`, {
      method: "POST",
      headers: { ...json, cookie },
      body: JSON.stringify({ description: "bench", scopes: ["workspaces:read"] }),
    })
  ).json();
  process.send({ base, cookie, apiKey: created.key, workspaceId, path: BENCH_PATH });
});
const stop = () => close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
