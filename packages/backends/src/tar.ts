/**
 * A minimal ustar writer: the archive `putArchive` unpacks into an agent's bootstrap and secrets
 * volumes. Only regular files and directories, with explicit owner and mode, so what lands in the
 * volume is exactly what the archive says (no host umask, no host uid).
 */

export interface TarEntry {
  /** Relative path inside the archive, `/`-separated; directories without a trailing slash. */
  path: string;
  type: "file" | "directory";
  mode: number;
  uid: number;
  gid: number;
  /** Files only. */
  content?: string | Buffer;
}

export class TarPathError extends Error {
  constructor(path: string, reason: string) {
    super(`invalid archive path ${JSON.stringify(path)}: ${reason}`);
    this.name = "TarPathError";
  }
}

const BLOCK = 512;

/** Refuses anything that could land outside the directory the archive is unpacked into. */
export function checkRelativePath(path: string): void {
  if (path === "") throw new TarPathError(path, "empty");
  if (path.startsWith("/")) throw new TarPathError(path, "absolute");
  if (path.includes("\\")) throw new TarPathError(path, "backslash");
  if ([...path].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === "\u007f")) {
    throw new TarPathError(path, "control character");
  }
  for (const segment of path.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new TarPathError(path, `segment ${JSON.stringify(segment)}`);
    }
  }
}

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar field overflow: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  writeString(header, `${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
}

/** Splits a path into ustar's name (100 bytes) and prefix (155 bytes), or refuses it. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const slashes = [...path.matchAll(/\//g)].map((match) => match.index);
  for (const at of slashes) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new TarPathError(path, "too long for a ustar archive");
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(entry.type === "directory" ? `${entry.path}/` : entry.path);
  writeString(block, name, 0, 100);
  writeOctal(block, entry.mode & 0o7777, 100, 8);
  writeOctal(block, entry.uid, 108, 8);
  writeOctal(block, entry.gid, 116, 8);
  writeOctal(block, size, 124, 12);
  writeOctal(block, 0, 136, 12);
  block.fill(" ", 148, 156);
  writeString(block, entry.type === "directory" ? "5" : "0", 156, 1);
  writeString(block, "ustar\u000000", 257, 8);
  writeString(block, prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, `${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

/** The archive of `entries`, in the order given (a directory before what it holds). */
export function createTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    checkRelativePath(entry.path);
    if (entry.type === "directory") {
      parts.push(header(entry, 0));
      continue;
    }
    const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content ?? "", "utf8");
    parts.push(header(entry, content.length), content);
    const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
