import { RuntimeError } from "@nora/agent-runtime";
import { AppError } from "@nora/core";

/**
 * Maps a failed runtime call to the API's error. A runtime that was not reached (or not in time) is
 * `runtime_unreachable` (502, or 504 at the deadline); one that answered with an error, a redirect or
 * an answer outside the contract is `refusedCode` (502). Neither repeats the runtime's URL or body.
 */
export function runtimeCallFailed(error: unknown, refusedCode: string, refusedMessage: string): unknown {
  if (!(error instanceof RuntimeError)) return error;
  if (error.unreachable) {
    return new AppError(error.status, "runtime_unreachable", "The agent's runtime did not answer");
  }
  const detail = error.answered ? `HTTP ${error.status}` : "an answer outside the runtime contract";
  return new AppError(502, refusedCode, `${refusedMessage} (${detail})`);
}
