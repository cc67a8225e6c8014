import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, join } from "node:path";
import {
  fileLocationQuerySchema,
  fileTargetQuerySchema,
  mkdirBodySchema,
  moveBodySchema,
  putContentBodySchema,
} from "../runtime-api.js";
import { TooLargeError, writeAtomic, writeAtomicStream } from "./atomic.js";
import { writeWithBackpressure } from "./backpressure.js";
import { HttpError, readJson, readQuery, sendJson } from "./http.js";
import type { FileRoots } from "./roots.js";

export interface FilesContext {
  roots: FileRoots;
  contentMaxBytes: number;
  uploadMaxBytes: number;
  /** A download client that has had no room for this long is dropped. */
  stallMs: number;
}

const MAX_TREE_ENTRIES = 5000;

const locationQuery = fileLocationQuerySchema;
const targetQuery = fileTargetQuerySchema;

function kind(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  return "other";
}

export function listRoots(ctx: FilesContext, res: ServerResponse): void {
  sendJson(res, 200, {
    roots: ctx.roots.list().map((root) => ({ name: root.name, writable: root.writable })),
  });
}

/** One directory level; the browser expands the tree lazily. */
export async function tree(ctx: FilesContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, locationQuery);
  const target = await ctx.roots.resolve(query.root, query.path, "read", false);
  const info = await stat(target.path);
  if (!info.isDirectory()) throw new HttpError(400, "not_a_directory", "path is not a directory");
  const dirents = await readdir(target.path, { withFileTypes: true });
  const entries = [];
  for (const dirent of dirents.slice(0, MAX_TREE_ENTRIES)) {
    const info = await lstat(join(target.path, dirent.name)).catch(() => null);
    entries.push({
      name: dirent.name,
      path: target.relative === "" ? dirent.name : `${target.relative}/${dirent.name}`,
      type: kind(dirent),
      size: info?.size ?? 0,
      modifiedAt: info?.mtime.toISOString() ?? null,
    });
  }
  entries.sort((a, b) =>
    a.type === b.type
      ? a.name.localeCompare(b.name)
      : a.type === "directory"
        ? -1
        : b.type === "directory"
          ? 1
          : 0,
  );
  sendJson(res, 200, {
    root: target.root.name,
    path: target.relative,
    entries,
    truncated: dirents.length > MAX_TREE_ENTRIES,
  });
}

export async function getContent(ctx: FilesContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, targetQuery);
  const target = await ctx.roots.resolve(query.root, query.path, "read", false);
  const info = await stat(target.path);
  if (!info.isFile()) throw new HttpError(400, "not_a_file", "path is not a regular file");
  if (info.size > ctx.contentMaxBytes) {
    throw new HttpError(413, "too_large", `file exceeds ${ctx.contentMaxBytes} bytes; use /files/download`);
  }
  const data = await readFile(target.path);
  const binary = data.includes(0);
  sendJson(res, 200, {
    root: target.root.name,
    path: target.relative,
    size: info.size,
    modifiedAt: info.mtime.toISOString(),
    encoding: binary ? "base64" : "utf8",
    content: data.toString(binary ? "base64" : "utf8"),
  });
}

export async function download(ctx: FilesContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, targetQuery);
  const target = await ctx.roots.resolve(query.root, query.path, "read", false);
  const info = await stat(target.path);
  if (!info.isFile()) throw new HttpError(400, "not_a_file", "path is not a regular file");
  const name = basename(target.path).replace(/[^\w.-]/g, "_");
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": info.size,
    "content-disposition": `attachment; filename="${name}"`,
    "cache-control": "no-store",
  });
  const policy = {
    stallMs: ctx.stallMs,
    onStall: () =>
      process.stdout.write(
        `${JSON.stringify({ level: "warn", msg: "download client dropped", reason: "stalled", stallMs: ctx.stallMs })}\n`,
      ),
  };
  try {
    // Leaving the loop early destroys the read stream and closes the file.
    for await (const chunk of createReadStream(target.path) as AsyncIterable<Buffer>) {
      if (!(await writeWithBackpressure(res, chunk, policy))) return;
    }
    res.end();
  } catch {
    res.destroy();
  }
}

const putContentBody = putContentBodySchema;

export async function putContent(
  ctx: FilesContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // base64 grows content by 4/3; allow for it and the JSON around it.
  const body = await readJson(req, putContentBody, Math.ceil(ctx.contentMaxBytes * 1.4) + 64 * 1024);
  const data = Buffer.from(body.content, body.encoding);
  if (data.length > ctx.contentMaxBytes) {
    throw new HttpError(413, "too_large", `content exceeds ${ctx.contentMaxBytes} bytes; use /files/upload`);
  }
  const target = await ctx.roots.resolve(body.root, body.path, "create", true);
  const existing = await lstat(target.path).catch(() => null);
  if (existing?.isDirectory()) throw new HttpError(400, "is_a_directory", "path is a directory");
  const size = await writeAtomic(target.path, data);
  sendJson(res, 200, { root: target.root.name, path: target.relative, size });
}

export async function upload(
  ctx: FilesContext,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const query = readQuery(url, targetQuery);
  const declared = Number(req.headers["content-length"] ?? "0");
  const tooLarge = new HttpError(413, "too_large", `upload exceeds ${ctx.uploadMaxBytes} bytes`);
  if (declared > ctx.uploadMaxBytes) throw tooLarge;
  const target = await ctx.roots.resolve(query.root, query.path, "create", true);
  const existing = await lstat(target.path).catch(() => null);
  if (existing?.isDirectory()) throw new HttpError(400, "is_a_directory", "path is a directory");
  const size = await writeAtomicStream(target.path, req, { maxBytes: ctx.uploadMaxBytes }).catch((error) => {
    throw error instanceof TooLargeError ? tooLarge : error;
  });
  sendJson(res, 201, { root: target.root.name, path: target.relative, size });
}

const mkdirBody = mkdirBodySchema;

export async function makeDirectory(
  ctx: FilesContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readJson(req, mkdirBody, 64 * 1024);
  const target = await ctx.roots.resolve(body.root, body.path, "create", true);
  await mkdir(target.path, { recursive: true, mode: 0o755 });
  const info = await lstat(target.path);
  if (!info.isDirectory()) throw new HttpError(409, "already_exists", "a non-directory exists at that path");
  sendJson(res, 201, { root: target.root.name, path: target.relative });
}

const moveBody = moveBodySchema;

export async function move(ctx: FilesContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, moveBody, 64 * 1024);
  const from = await ctx.roots.resolve(body.root, body.from, "entry", true);
  const to = await ctx.roots.resolve(body.root, body.to, "create", true);
  if (to.path === from.path || to.path.startsWith(`${from.path}/`)) {
    throw new HttpError(400, "invalid_move", "cannot move a path into itself");
  }
  if (await lstat(to.path).catch(() => null))
    throw new HttpError(409, "already_exists", "destination exists");
  await rename(from.path, to.path);
  sendJson(res, 200, { root: from.root.name, from: from.relative, to: to.relative });
}

export async function remove(ctx: FilesContext, url: URL, res: ServerResponse): Promise<void> {
  const query = readQuery(url, targetQuery);
  const target = await ctx.roots.resolve(query.root, query.path, "entry", true);
  // rm works on the entry itself: a symlink is unlinked, never followed.
  await rm(target.path, { recursive: true });
  sendJson(res, 200, { root: target.root.name, path: target.relative, deleted: true });
}
