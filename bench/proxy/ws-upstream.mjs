// A loopback stand-in for an OpenClaw gateway's WebSocket: the v4 handshake (challenge, connect with
// the shared token, hello-ok) and an RPC answered as fast as Node can (`health` → `{ok:true}`). Sends
// its port to the parent over IPC.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const { WebSocketServer } = require("ws");
const TOKEN = process.env.BENCH_GATEWAY_TOKEN;

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (socket) => {
  let connected = false;
  socket.on("message", (data) => {
    const frame = JSON.parse(String(data));
    if (!connected) {
      if (frame.method !== "connect" || frame.params?.auth?.token !== TOKEN)
        return socket.close(1008, "unauthorized");
      connected = true;
      const auth = { method: "token", role: "operator", scopes: frame.params.scopes ?? [] };
      const policy = { maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: 30_000 };
      const payload = {
        type: "hello-ok",
        protocol: 4,
        server: { version: "bench" },
        features: {},
        snapshot: {},
        auth,
        policy,
      };
      return socket.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload }));
    }
    socket.send(
      JSON.stringify({ type: "res", id: frame.id, ok: true, payload: { ok: true, ts: Date.now() } }),
    );
  });
  socket.send(
    JSON.stringify({
      type: "event",
      event: "connect.challenge",
      payload: { nonce: randomUUID(), ts: Date.now() },
    }),
  );
});
wss.on("listening", () => process.send({ port: wss.address().port }));
process.on("SIGTERM", () => wss.close(() => process.exit(0)));
