import { HttpError } from "./http.js";

const MAPPED: Readonly<Record<string, [number, string]>> = {
  ENOENT: [404, "not_found"],
  EEXIST: [409, "already_exists"],
  ENOTEMPTY: [409, "not_empty"],
  ENOTDIR: [400, "not_a_directory"],
  EISDIR: [400, "is_a_directory"],
  EACCES: [403, "permission_denied"],
  EPERM: [403, "permission_denied"],
  EROFS: [403, "read_only_filesystem"],
  ENOSPC: [507, "no_space"],
  ENAMETOOLONG: [400, "name_too_long"],
};

/** Turns a filesystem error into an HttpError without leaking absolute paths. */
export function fsError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const mapped = code === undefined ? undefined : MAPPED[code];
  if (mapped === undefined) return error;
  return new HttpError(mapped[0], mapped[1], code ?? "filesystem error");
}
