import { TERMINAL_DEFAULT_SIZE, TERMINAL_SIZE, terminalClientMessageSchema } from "@nora/agent-runtime";
import { queryInt } from "@nora/api-contract";
import type { TerminalService } from "@nora/domain/runtime-access/terminal";
import { z } from "zod";
import { actorOfAuth } from "../http/auth-context.js";
import { CLOSE, defineStream, type StreamDefinition } from "./types.js";

const terminalQuery = z.strictObject({
  cols: queryInt({ min: TERMINAL_SIZE.minCols, max: TERMINAL_SIZE.maxCols }).default(
    TERMINAL_DEFAULT_SIZE.cols,
  ),
  rows: queryInt({ min: TERMINAL_SIZE.minRows, max: TERMINAL_SIZE.maxRows }).default(
    TERMINAL_DEFAULT_SIZE.rows,
  ),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An interactive shell in the agent (`/api/ws/agents/:agentId/terminal?cols=&rows=`), for editors and
 * keys with `agents:write`, counted against TERMINALS_PER_USER_MAX. The runtime's own protocol passes
 * through (docs/runtime-contract.md, "Terminal"): binary frames are bytes both ways, the client's text
 * frames are `{"type":"resize",cols,rows}` (checked here too; anything else closes with 1008), and the
 * last text frame is `{"type":"exit",code,signal}`. Output is read from the runtime only as fast as the
 * client takes it. The session is audited at open and end (terminal.ts), never its content.
 */
export function terminalStream(terminals: TerminalService): StreamDefinition {
  return defineStream({
    name: "terminal",
    kind: "terminal",
    requirement: { role: "editor", scope: "agents:write" },
    query: terminalQuery,
    async open(ctx) {
      const { terminal, finished } = await terminals.open(ctx.agentId, ctx.query, {
        actor: actorOfAuth(ctx.auth),
        requestId: ctx.requestId,
        signal: ctx.signal,
      });
      return {
        transport: "websocket",
        async run(channel) {
          const upstream = terminal.socket;
          // Whatever ends the stream (client, revocation, shutdown) ends the shell too.
          channel.signal.addEventListener("abort", () => upstream.close(1000, "client left"), { once: true });
          terminal.onData((chunk) => {
            upstream.pause();
            void channel.sendBytes(chunk).then((room) => {
              if (room) upstream.resume();
            });
          });
          channel.onBytes((keys) => (terminal.write(keys) ? undefined : terminal.drained()));
          channel.onMessage((text) => {
            const resize = terminalClientMessageSchema.safeParse(parseJson(text));
            if (!resize.success) channel.close(CLOSE.policy, "invalid control message");
            else terminal.resize(resize.data.cols, resize.data.rows);
            return undefined;
          });
          const { exit } = await finished;
          if (exit) await channel.send({ type: "exit", code: exit.code, signal: exit.signal });
          else if (!channel.signal.aborted) {
            await channel.send({
              type: "error",
              error: "terminal_ended",
              message: "The agent's terminal ended",
            });
          }
        },
      };
    },
  });
}
