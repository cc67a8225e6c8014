import type { RuntimeTerminal, TerminalExit } from "@nora/agent-runtime";
import { RuntimeError } from "@nora/agent-runtime";
import { AppError, type Logger, type Pool } from "@nora/core";
import { runtimeCallFailed } from "../agents/runtime-errors.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import type { RuntimeTarget } from "./target.js";

/** The handshake with the runtime's terminal endpoint; the session itself has no deadline. */
const OPEN_TIMEOUT_MS = 10_000;

export interface TerminalSession {
  terminal: RuntimeTerminal;
  /** Resolves once the session is over and its closing audit entry is written. */
  finished: Promise<{ exit: TerminalExit | null; durationMs: number }>;
}

/**
 * Interactive terminals on an agent's runtime (its `GET /terminal` WebSocket, opened through
 * openAgentRuntime: address judged, token in a header). Each session is audited when it opens and
 * when it ends, with who, how long and the exit status; never what was typed or shown.
 */
export function createTerminalService(deps: { pool: Pool; target: RuntimeTarget; logger: Logger }) {
  const { pool, target, logger } = deps;

  async function open(
    agentId: string,
    size: { cols: number; rows: number },
    ctx: ActionContext & { signal: AbortSignal },
  ): Promise<TerminalSession> {
    const { agent, client } = await target.openAgentRuntime(agentId, {
      requestId: ctx.requestId,
      timeoutMs: OPEN_TIMEOUT_MS,
    });
    let terminal: RuntimeTerminal;
    try {
      terminal = await client.openTerminal(size, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof RuntimeError && error.status === 429) {
        throw new AppError(
          429,
          "runtime_terminals_busy",
          "The agent has as many terminals open as it allows",
        );
      }
      throw runtimeCallFailed(error, "runtime_terminal_failed", "The agent's runtime refused the terminal");
    }
    const startedAt = Date.now();
    const audit = (action: string, metadata: Record<string, unknown>) =>
      recordAudit(pool, {
        ...auditFieldsOf(ctx),
        action,
        workspaceId: agent.workspaceId,
        target: { type: "agent", id: agentId },
        metadata,
      });
    try {
      await audit("agent.terminal_opened", { cols: size.cols, rows: size.rows });
    } catch (error) {
      // A session nobody can account for does not go ahead.
      terminal.socket.terminate();
      throw error;
    }
    const finished = Promise.all([terminal.exit, terminal.closed]).then(async ([exit, closed]) => {
      const durationMs = Date.now() - startedAt;
      await audit("agent.terminal_closed", {
        durationMs,
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        closeCode: closed.code,
      }).catch((error: unknown) =>
        logger.error({ err: error, agentId, requestId: ctx.requestId }, "could not audit a terminal's end"),
      );
      return { exit, durationMs };
    });
    return { terminal, finished };
  }

  return { open };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
