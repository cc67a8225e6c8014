import { readFile, rm } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { RuntimeClient, RuntimeError, type RuntimeTerminal } from "../src/client/index.js";
import { RUNTIME_ROUTES } from "../src/endpoints.js";
import {
  alive,
  childrenOf,
  makeRuntimeDirs,
  ptmxFds,
  type RuntimeProcess,
  startRuntime,
  TOKEN,
  waitFor,
} from "./support.js";

/**
 * The runtime server with HOME in its own state directory: the shell then reads no ~/.bashrc of
 * the machine running the tests (which may take seconds to run).
 */
async function startTerminalRuntime(env: Record<string, string> = {}): Promise<RuntimeProcess> {
  const dirs = await makeRuntimeDirs();
  const runtime = await startRuntime({ dirs, env: { HOME: dirs.state, ...env } });
  return {
    ...runtime,
    async stop() {
      const code = await runtime.stop();
      await rm(dirs.base, { recursive: true, force: true });
      return code;
    },
  };
}

const serverPid = (runtime: RuntimeProcess) => runtime.child.pid ?? -1;

/** A process's resident memory, from /proc. */
async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

async function noTerminalsLeft(runtime: RuntimeProcess, timeoutMs = 5000): Promise<void> {
  await waitFor(async () => {
    const [children, fds] = [await childrenOf(serverPid(runtime)), await ptmxFds(serverPid(runtime))];
    return children.length === 0 && fds === 0 ? true : undefined;
  }, timeoutMs);
}

/** Collects a terminal's output and waits for a pattern in it. */
function screen(terminal: RuntimeTerminal) {
  let text = "";
  terminal.onData((chunk) => {
    text += chunk.toString("utf8");
  });
  return {
    text: () => text,
    waitFor: (pattern: RegExp, timeoutMs = 5000) =>
      waitFor(() => pattern.exec(text) ?? undefined, timeoutMs).catch(() => {
        throw new Error(`no ${pattern} in terminal output:\n${JSON.stringify(text)}`);
      }),
  };
}

/** A raw upgrade (no client wrapper), resolving to the HTTP status of a refusal or 101. */
function rawUpgrade(
  runtime: RuntimeProcess,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${runtime.port}${path}`, { headers });
    ws.once("open", () => {
      ws.terminate();
      resolve({ status: 101, body: "", requestId: undefined });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => {
        const id = res.headers["x-request-id"];
        resolve({ status: res.statusCode ?? 0, body, requestId: typeof id === "string" ? id : undefined });
      });
    });
    ws.once("error", reject);
  });
}

const bearer = { authorization: `Bearer ${TOKEN}` };

describe("GET /terminal", () => {
  let runtime: RuntimeProcess;
  let client: RuntimeClient;
  beforeAll(async () => {
    runtime = await startTerminalRuntime({ NORA_TERMINAL_MAX: "3" });
    client = new RuntimeClient({ baseUrl: runtime.url("/"), token: TOKEN, timeoutMs: 5000 });
  });
  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it("runs `echo hello` in a shell in the workspace and reports `exit 0`", async () => {
    const terminal = await client.openTerminal();
    const out = screen(terminal);
    terminal.write("echo hello; pwd\r");
    await out.waitFor(/[\r\n]hello\r\n/);
    await out.waitFor(new RegExp(`[\\r\\n]${runtime.dirs.workspace}\\r\\n`));
    terminal.write("exit 0\r");
    expect(await terminal.exit).toEqual({ type: "exit", code: 0, signal: null });
    expect(await terminal.closed).toEqual({ code: 1000, reason: "exited" });
    await noTerminalsLeft(runtime);
  });

  it("reports a non-zero status and a signal", async () => {
    const failing = await client.openTerminal();
    failing.write("exit 3\r");
    expect(await failing.exit).toEqual({ type: "exit", code: 3, signal: null });
    const killed = await client.openTerminal();
    killed.write("kill -9 $$\r");
    expect(await killed.exit).toEqual({ type: "exit", code: null, signal: "SIGKILL" });
  });

  it("starts at the size asked for and resizes the PTY", async () => {
    const terminal = await client.openTerminal({ cols: 100, rows: 30 });
    const out = screen(terminal);
    terminal.write("stty size\r");
    await out.waitFor(/[\r\n]30 100\r\n/);
    terminal.resize(120, 40);
    terminal.write("stty size\r");
    await out.waitFor(/[\r\n]40 120\r\n/);
    terminal.close();
    await noTerminalsLeft(runtime);
  });

  it.each([
    ["cols of 0", JSON.stringify({ type: "resize", cols: 0, rows: 10 })],
    ["rows beyond 1000", JSON.stringify({ type: "resize", cols: 80, rows: 5000 })],
    ["a fraction", JSON.stringify({ type: "resize", cols: 80.5, rows: 10 })],
    ["an unknown type", JSON.stringify({ type: "shell", command: "/bin/zsh" })],
    ["an extra field", JSON.stringify({ type: "resize", cols: 80, rows: 10, shell: "zsh" })],
    ["text that is not JSON", "ls\r"],
  ])("closes with 1008 on a control message with %s, and kills the shell", async (_label, frame) => {
    const terminal = await client.openTerminal();
    terminal.socket.send(frame);
    expect(await terminal.closed).toEqual({ code: 1008, reason: "invalid control message" });
    expect(await terminal.exit).toBeNull();
    await noTerminalsLeft(runtime);
  });

  it("kills the shell's whole session when the socket closes, background jobs too", async () => {
    const terminal = await client.openTerminal();
    const out = screen(terminal);
    terminal.write("sleep 300 & echo JOB=$!; nohup sleep 301 >/dev/null 2>&1 & echo NOHUP=$!; echo SH=$$\r");
    const pids = [
      Number((await out.waitFor(/JOB=(\d+)/))[1]),
      Number((await out.waitFor(/NOHUP=(\d+)/))[1]),
      Number((await out.waitFor(/SH=(\d+)/))[1]),
    ];
    for (const pid of pids) expect(alive(pid)).toBe(true);
    terminal.close();
    await waitFor(() => (pids.every((pid) => !alive(pid)) ? true : undefined), 5000);
    await noTerminalsLeft(runtime);
  });

  it.each([
    ["no token", {}, ""],
    ["a wrong token", { authorization: `Bearer ${TOKEN.slice(0, -1)}y` }, ""],
    ["another scheme", { authorization: `Basic ${TOKEN}` }, ""],
    ["the token in the query string", {}, `?token=${TOKEN}`],
    ["the token as access_token", {}, `?access_token=${TOKEN}`],
  ])("refuses an upgrade with %s: 401, no PTY", async (_label, headers, query) => {
    const answer = await rawUpgrade(runtime, `${RUNTIME_ROUTES.terminal}${query}`, {
      ...headers,
      "x-request-id": "req-terminal-1",
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({
      error: "unauthorized",
      message: "missing or invalid bearer token",
      requestId: "req-terminal-1",
    });
    expect(answer.requestId).toBe("req-terminal-1");
    expect(await childrenOf(serverPid(runtime))).toEqual([]);
    expect(await ptmxFds(serverPid(runtime))).toBe(0);
  });

  it("refuses bad sizes, unknown parameters and other paths before spawning anything", async () => {
    for (const query of [
      "?cols=0",
      "?rows=1001",
      "?cols=abc",
      "?shell=/bin/zsh",
      `?cols=80&token=${TOKEN}`,
    ]) {
      const answer = await rawUpgrade(runtime, `${RUNTIME_ROUTES.terminal}${query}`, bearer);
      expect(answer.status, query).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "invalid_request" });
    }
    expect((await rawUpgrade(runtime, "/info", bearer)).status).toBe(404);
    expect(await childrenOf(serverPid(runtime))).toEqual([]);
    // A plain GET is not an upgrade.
    const plain = await runtime.call(RUNTIME_ROUTES.terminal);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });
  });

  it("passes the runtime's refusal to the client as a RuntimeError", async () => {
    const wrong = new RuntimeClient({ baseUrl: runtime.url("/"), token: "nope", timeoutMs: 5000 });
    const error = await wrong.openTerminal().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("refuses the terminal beyond NORA_TERMINAL_MAX with 429", async () => {
    const open = await Promise.all([client.openTerminal(), client.openTerminal(), client.openTerminal()]);
    const refused = await client.openTerminal().catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: 429, code: "too_many_terminals" });
    expect((await childrenOf(serverPid(runtime))).length).toBe(3);
    const first = open[0] as RuntimeTerminal;
    first.close();
    await waitFor(async () => ((await childrenOf(serverPid(runtime))).length === 2 ? true : undefined));
    const again = await client.openTerminal();
    for (const terminal of [...open.slice(1), again]) terminal.close();
    await noTerminalsLeft(runtime);
  });

  it("leaves no process and no PTY behind after 200 open/close cycles", async () => {
    const started = performance.now();
    for (let i = 0; i < 200; i += 1) {
      const terminal = await client.openTerminal();
      const out = screen(terminal);
      if (i % 2 === 0) {
        // Closed by the client while the shell runs.
        terminal.write("echo ready\r");
        await out.waitFor(/[\r\n]ready\r\n/);
        terminal.close();
      } else {
        terminal.write("exit\r");
        expect((await terminal.exit)?.code).toBe(0);
      }
      await terminal.closed;
    }
    await noTerminalsLeft(runtime);
    const elapsed = performance.now() - started;
    process.stdout.write(`200 terminal cycles in ${Math.round(elapsed)} ms\n`);
    expect((await runtime.call("/health")).status).toBe(200);
  });

  it("kills open terminals when the server stops", async () => {
    const other = await startTerminalRuntime();
    const otherClient = new RuntimeClient({ baseUrl: other.url("/"), token: TOKEN, timeoutMs: 5000 });
    const terminal = await otherClient.openTerminal();
    const out = screen(terminal);
    terminal.write("echo SH=$$\r");
    const pid = Number((await out.waitFor(/SH=(\d+)/))[1]);
    expect(await other.stop()).toBe(0);
    expect((await terminal.closed).code).toBe(1001);
    await waitFor(() => (alive(pid) ? undefined : true), 3000);
  });
});

describe("GET /terminal with slow and idle clients", () => {
  let runtime: RuntimeProcess;
  let client: RuntimeClient;
  beforeAll(async () => {
    runtime = await startTerminalRuntime({ NORA_STREAM_STALL_MS: "400", NORA_TERMINAL_IDLE_MS: "1500" });
    client = new RuntimeClient({ baseUrl: runtime.url("/"), token: TOKEN, timeoutMs: 5000 });
  });
  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it("pauses output for a client that stops reading and drops it past the stall bound", async () => {
    let socket: Socket | undefined;
    const terminal = await client.openTerminal(
      {},
      {
        createConnection: (options) => {
          socket = createConnection(options as { port: number; host: string });
          return socket;
        },
      },
    );
    const out = screen(terminal);
    terminal.write("echo SH=$$; yes\r");
    const pid = Number((await out.waitFor(/SH=(\d+)/))[1]);
    socket?.pause();
    await waitFor(() => (runtime.output().includes('"terminal client dropped"') ? true : undefined), 10_000);
    await waitFor(() => (alive(pid) ? undefined : true), 5000);
    await noTerminalsLeft(runtime);
    socket?.destroy();
  });

  it("keeps a reading client however much the shell prints", async () => {
    const drops = () => runtime.output().split('"terminal client dropped"').length - 1;
    const dropsBefore = drops();
    const terminal = await client.openTerminal();
    let received = 0;
    let tail = "";
    terminal.onData((chunk) => {
      received += chunk.length;
      tail = (tail + chunk.toString("utf8")).slice(-64);
    });
    // 3 MB, far beyond the 256 KiB high-water mark: output pauses and resumes many times.
    terminal.write("head -c 3000000 /dev/zero | tr '\\0' x | fold -w 100; echo DO''NE\r");
    await waitFor(() => (/DONE\r\n/.test(tail) ? true : undefined), 30_000);
    expect(received).toBeGreaterThan(3_000_000);
    terminal.write("exit\r");
    expect((await terminal.exit)?.code).toBe(0);
    expect(drops()).toBe(dropsBefore);
  }, 60_000);

  it("reads input only as fast as the shell takes it: a paste it does not read waits in the client", async () => {
    // A stall bound long enough to look at the held input before it ends the session.
    const runtime = await startTerminalRuntime({ NORA_STREAM_STALL_MS: "4000" });
    const client = new RuntimeClient({ baseUrl: runtime.url("/"), token: TOKEN, timeoutMs: 5000 });
    const terminal = await client.openTerminal();
    const out = screen(terminal);
    terminal.write("stty raw -echo; echo REA''DY; sleep 60\r");
    await out.waitFor(/READY/);
    const rssBefore = await rssKiB(serverPid(runtime));
    const chunk = Buffer.alloc(64 * 1024, "x");
    let refused = 0;
    for (let i = 0; i < 256; i++) if (!terminal.write(chunk)) refused++;
    // 16 MiB sent while `sleep` reads nothing: past the PTY's own buffer the runtime stops reading the
    // socket, so nearly all of it is still queued in this client when things settle.
    await waitFor(async () => {
      const first = terminal.socket.bufferedAmount;
      await new Promise((r) => setTimeout(r, 300));
      return terminal.socket.bufferedAmount === first ? true : undefined;
    }, 10_000);
    // The runtime stays responsive meanwhile (node-pty's own write would block its event loop).
    const started = performance.now();
    expect((await fetch(runtime.url("/health"))).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(refused).toBeGreaterThan(0);
    expect(terminal.socket.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
    expect((await rssKiB(serverPid(runtime))) - rssBefore).toBeLessThan(8 * 1024);
    // Input the shell takes none of for the stall bound ends the session.
    await terminal.closed;
    expect(runtime.output()).toContain('"reason":"input stalled"');
    await noTerminalsLeft(runtime);
    expect(await runtime.stop()).toBe(0);
  }, 60_000);

  it("resumes reading once the shell takes the input: a large paste arrives whole", async () => {
    // The describe's 400 ms stall bound would end a session whose shell a busy machine delays.
    const runtime = await startTerminalRuntime({ NORA_STREAM_STALL_MS: "10000" });
    const client = new RuntimeClient({ baseUrl: runtime.url("/"), token: TOKEN, timeoutMs: 5000 });
    const terminal = await client.openTerminal();
    const out = screen(terminal);
    // Four times the high-water mark: reading pauses and resumes several times on the way.
    const size = 1024 * 1024;
    terminal.write(`stty raw -echo; echo REA''DY; head -c ${size} | wc -c; stty sane; echo DO''NE\r`);
    await out.waitFor(/READY/);
    const chunk = Buffer.alloc(64 * 1024, "y");
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!terminal.write(chunk)) await terminal.drained();
    }
    await out.waitFor(new RegExp(`${size}[\\s\\S]*DONE`), 30_000);
    terminal.write("exit\r");
    expect((await terminal.exit)?.code).toBe(0);
    expect(await runtime.stop()).toBe(0);
  }, 60_000);

  it("closes an idle terminal with 4000", async () => {
    const terminal = await client.openTerminal();
    const started = Date.now();
    expect(await terminal.closed).toEqual({ code: 4000, reason: "idle timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await noTerminalsLeft(runtime);
  });
});
