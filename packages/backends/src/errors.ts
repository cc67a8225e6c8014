export type BackendErrorCode =
  /** The image is not on the engine (nothing pulls it): build or load it, or fix the reference. */
  | "image_not_found"
  /** The engine cannot be reached (socket missing, refused or not permitted). */
  | "backend_unavailable"
  /** The spec is refused before anything is created. */
  | "invalid_spec"
  /** The agent has no runtime to act on. */
  | "runtime_not_found"
  /** The agent's subnet is already taken by another network on the engine. */
  | "network_conflict"
  /** A host port the agent was given is already bound by something else. */
  | "port_conflict"
  | "exec_timeout"
  /**
   * Kubernetes: another field manager changed a field Nora applies (a hand edit); the message names
   * the object, the fields and the manager. `create(spec, { force: true })` takes them back.
   */
  | "drift"
  /** Kubernetes: Nora's credentials lack a permission; the message names the verb and resource. */
  | "forbidden"
  /** Anything else the engine refused; the message carries its words. */
  | "backend_error";

/** An error of a runtime backend a person can act on: `code` says what, the message says which. */
export class BackendError extends Error {
  readonly code: BackendErrorCode;
  /** For `image_not_found`: the image asked for. */
  readonly image: string | undefined;

  constructor(code: BackendErrorCode, message: string, options: { image?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BackendError";
    this.code = code;
    this.image = options.image;
  }
}

export function isBackendError(error: unknown, code?: BackendErrorCode): error is BackendError {
  return error instanceof BackendError && (code === undefined || error.code === code);
}
