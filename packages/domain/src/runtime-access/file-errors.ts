import { RuntimeError } from "@nora/agent-runtime";
import { AppError } from "@nora/core";
import { runtimeCallFailed } from "../agents/runtime-errors.js";

/**
 * The runtime file routes' refusals (agent-runtime/src/server/files.ts and roots.ts) as the API's own
 * errors. Only known codes pass, with the API's message: a runtime's text never reaches the caller.
 */
const FILE_REFUSALS: Record<string, { status: number; code: string; message: string }> = {
  invalid_path: {
    status: 400,
    code: "invalid_path",
    message: "The path is not allowed (absolute, '..', NUL, backslash or the root itself)",
  },
  outside_root: { status: 400, code: "invalid_path", message: "The path resolves outside its root" },
  name_too_long: { status: 400, code: "name_too_long", message: "A name in the path is too long" },
  invalid_request: { status: 400, code: "invalid_path", message: "The root or path is not valid" },
  not_a_directory: { status: 400, code: "not_a_directory", message: "The path is not a directory" },
  not_a_file: { status: 400, code: "not_a_file", message: "The path is not a regular file" },
  is_a_directory: { status: 400, code: "is_a_directory", message: "The path is a directory" },
  invalid_move: { status: 400, code: "invalid_move", message: "A path cannot be moved into itself" },
  read_only_root: { status: 403, code: "read_only_root", message: "This root is read-only" },
  unknown_root: { status: 404, code: "unknown_root", message: "No file root of that name" },
  root_unavailable: { status: 404, code: "unknown_root", message: "That file root does not exist" },
  not_found: { status: 404, code: "file_not_found", message: "No such file or directory" },
  already_exists: { status: 409, code: "file_exists", message: "Something already exists at that path" },
  too_large: { status: 413, code: "file_too_large", message: "The file is larger than allowed" },
  body_too_large: { status: 413, code: "file_too_large", message: "The file is larger than allowed" },
};

/** A failed runtime file call: a known refusal keeps its status (4xx); anything else is a 502. */
export function fileCallFailed(error: unknown): unknown {
  if (error instanceof RuntimeError && error.answered && error.status < 500) {
    const known = FILE_REFUSALS[error.code];
    if (known) return new AppError(known.status, known.code, known.message);
  }
  return runtimeCallFailed(error, "runtime_files_failed", "The agent's runtime refused the file call");
}

export function uploadTooLarge(maxBytes: number): AppError {
  // The rest of the body is never read: the connection closes after the answer.
  return new AppError(413, "file_too_large", `Uploads are limited to ${maxBytes} bytes`, undefined, {
    Connection: "close",
  });
}
