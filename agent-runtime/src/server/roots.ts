import { lstat, realpath } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { HttpError } from "./http.js";

export interface FileRoot {
  name: string;
  dir: string;
  writable: boolean;
}

export interface ResolvedPath {
  root: FileRoot;
  /** The root's real directory. */
  rootDir: string;
  /** Absolute path of the target, below rootDir (not symlink-resolved itself). */
  path: string;
  /** The normalized relative path ("" for the root itself). */
  relative: string;
}

/**
 * How a path is going to be used:
 * - `read`: the target must exist, and resolving every symlink must stay inside the root;
 * - `entry`: the target itself is acted on (delete, move source): its parent must resolve inside the
 *   root and the target must exist, but a symlink target is the link, not what it points to;
 * - `create`: the target may be missing; its deepest existing ancestor must resolve inside the root.
 */
export type PathUse = "read" | "entry" | "create";

/** Linux's NAME_MAX: the longest file name, in bytes. */
const NAME_MAX = 255;

/** Splits a client path into safe segments, refusing absolute paths, `..`, NUL and backslashes. */
export function splitRelative(path: string): string[] {
  if (path.includes("\0")) throw new HttpError(400, "invalid_path", "path contains a NUL byte");
  if (path.startsWith("/")) throw new HttpError(400, "invalid_path", "absolute paths are not allowed");
  if (path.includes("\\")) throw new HttpError(400, "invalid_path", "backslashes are not allowed");
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new HttpError(400, "invalid_path", "'..' is not allowed");
  // Checked before any file-system call, so `mkdir -p` cannot create the parents of a name it then refuses.
  if (segments.some((s) => Buffer.byteLength(s) > NAME_MAX)) {
    throw new HttpError(400, "name_too_long", `a name in the path is longer than ${NAME_MAX} bytes`);
  }
  return segments;
}

function inside(rootDir: string, candidate: string): boolean {
  return candidate === rootDir || candidate.startsWith(rootDir.endsWith(sep) ? rootDir : rootDir + sep);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

async function realInside(rootDir: string, path: string): Promise<void> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new HttpError(404, "not_found", "no such file or directory");
    if (code === "ELOOP") throw new HttpError(400, "invalid_path", "too many symbolic links");
    throw error;
  }
  if (!inside(rootDir, real)) throw new HttpError(403, "outside_root", "path resolves outside its root");
}

/** The allowlist of file roots and the one place client paths become filesystem paths. */
export class FileRoots {
  readonly #roots: Map<string, FileRoot>;

  constructor(roots: readonly FileRoot[]) {
    this.#roots = new Map(roots.map((root) => [root.name, root]));
  }

  list(): FileRoot[] {
    return [...this.#roots.values()];
  }

  async resolve(rootName: string, path: string, use: PathUse, write: boolean): Promise<ResolvedPath> {
    const root = this.#roots.get(rootName);
    if (root === undefined) throw new HttpError(404, "unknown_root", `no file root named "${rootName}"`);
    if (write && !root.writable)
      throw new HttpError(403, "read_only_root", `root "${root.name}" is read-only`);
    const segments = splitRelative(path);
    let rootDir: string;
    try {
      rootDir = await realpath(root.dir);
    } catch {
      throw new HttpError(404, "root_unavailable", `root "${root.name}" does not exist`);
    }
    const target = join(rootDir, ...segments);
    const relative = segments.join("/");
    if (use !== "read" && segments.length === 0) {
      throw new HttpError(400, "invalid_path", "the root itself cannot be changed");
    }

    if (use === "read") {
      await realInside(rootDir, target);
    } else if (use === "entry") {
      await realInside(rootDir, dirname(target));
      if (!(await exists(target))) throw new HttpError(404, "not_found", "no such file or directory");
    } else {
      let ancestor = dirname(target);
      while (!(await exists(ancestor))) ancestor = dirname(ancestor);
      await realInside(rootDir, ancestor);
      // An existing symlink at the target is replaced, never written through.
    }
    return { root, rootDir, path: target, relative };
  }
}
