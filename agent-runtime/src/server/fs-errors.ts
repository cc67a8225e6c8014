import { HttpError } from "./http.js";

/** Every file-system error a caller's request can cause, as the 4xx it deserves. */
const MAPPED: Readonly<Record<string, [number, string, string]>> = {
  ENOENT: [404, "not_found", "no such file or directory"],
  EEXIST: [409, "already_exists", "the path already exists"],
  ENOTEMPTY: [409, "not_empty", "the directory is not empty"],
  ENOTDIR: [400, "not_a_directory", "a part of the path is not a directory"],
  EISDIR: [400, "is_a_directory", "the path is a directory"],
  EACCES: [403, "permission_denied", "permission denied"],
  EPERM: [403, "permission_denied", "operation not permitted"],
  EROFS: [403, "read_only_filesystem", "the file system is read-only"],
  ENAMETOOLONG: [400, "name_too_long", "a name in the path is longer than 255 bytes, or the path too long"],
  ELOOP: [400, "invalid_path", "too many symbolic links"],
  EINVAL: [400, "invalid_path", "the path is not valid for this operation"],
  EXDEV: [400, "invalid_move", "cannot move across file systems"],
  EBUSY: [409, "busy", "the path is in use"],
  ETXTBSY: [409, "busy", "the file is in use"],
  EMLINK: [409, "too_many_links", "too many links"],
  EFBIG: [413, "too_large", "the file is too large"],
  ENOSPC: [507, "no_space", "no space left on the device"],
  EDQUOT: [507, "no_space", "disk quota exceeded"],
};

/**
 * The one place a file-system error becomes an answer (the server maps every error through it): a
 * known errno is the caller's mistake and gets its 4xx with a message that names no absolute path;
 * anything else is returned as it is, for a 500.
 */
export function fsError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const mapped = code === undefined ? undefined : MAPPED[code];
  if (mapped === undefined) return error;
  return new HttpError(mapped[0], mapped[1], mapped[2]);
}
