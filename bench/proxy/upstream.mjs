// A bare node:http upstream standing in for an agent's gateway: a small JSON answer, as fast as Node
// can give it. Sends its port to the parent over IPC.
import { createServer } from "node:http";

const body = JSON.stringify({ object: "list", data: [{ id: "openclaw/default", object: "model" }] });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
