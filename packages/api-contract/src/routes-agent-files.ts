import { z } from "zod";
import { agentParams } from "./agents.js";
import { opaqueText, singleLineText } from "./primitives.js";
import { defineRoute, text } from "./route.js";

// Viewers (and `agents:read` keys) read an agent's files; editors (and `agents:write` keys) change them.
const READ = { kind: "agent", role: "viewer", scope: "agents:read" } as const;
const WRITE = { kind: "agent", role: "editor", scope: "agents:write" } as const;

/* Requests */

/** A file root's name, as the runtime lists them (`workspace`, `config`, `logs`). */
export const fileRootName = singleLineText({ max: 64, min: 1 }).regex(
  /^[a-z][a-z0-9_-]{0,63}$/,
  "Root names are lowercase letters, digits, _ and -",
);

/**
 * A path inside a root: relative, `/`-separated, no `..` segment, no backslash, no control character
 * (NUL included). The runtime checks the same and resolves symlinks; refusing here keeps such a path
 * from ever leaving the API.
 */
export const filePath = singleLineText({ max: 4096 })
  .refine((p) => !p.startsWith("/"), "Paths are relative to their root (no leading /)")
  .refine((p) => !p.includes("\\"), "Paths use / (no backslash)")
  .refine((p) => !p.split("/").includes(".."), "Paths may not contain '..'");

const nonEmptyPath = filePath.refine((p) => p.split("/").some((s) => s !== "" && s !== "."), {
  message: "Name a file or directory inside the root",
});

export const fileLocationQuery = z.strictObject({ root: fileRootName, path: filePath.default("") });
export const fileTargetQuery = z.strictObject({ root: fileRootName, path: nonEmptyPath });
export const putFileContentBody = z.strictObject({
  root: fileRootName,
  path: nonEmptyPath,
  // Inside the default JSON_BODY_LIMIT (1mb); larger files go through /files/upload.
  content: opaqueText({ max: 768 * 1024 }),
  encoding: z.enum(["utf8", "base64"]).default("utf8"),
});
export const mkdirBody = z.strictObject({ root: fileRootName, path: nonEmptyPath });
export const moveFileBody = z.strictObject({ root: fileRootName, from: nonEmptyPath, to: nonEmptyPath });

/* Responses */

export const fileRootsResponse = z.object({
  roots: z.array(z.object({ name: z.string(), writable: z.boolean() })),
});
export const fileTreeResponse = z.object({
  root: z.string(),
  path: z.string(),
  entries: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      type: z.enum(["file", "directory", "symlink", "other"]),
      size: z.number(),
      modifiedAt: z.string().nullable(),
    }),
  ),
  truncated: z.boolean(),
});
export const fileContentResponse = z.object({
  root: z.string(),
  path: z.string(),
  size: z.number(),
  modifiedAt: z.string(),
  encoding: z.enum(["utf8", "base64"]),
  content: z.string(),
});
export const fileWrittenResponse = z.object({ root: z.string(), path: z.string(), size: z.number() });
export const directoryCreatedResponse = z.object({ root: z.string(), path: z.string() });
export const fileMovedResponse = z.object({ root: z.string(), from: z.string(), to: z.string() });
export const fileDeletedResponse = z.object({ root: z.string(), path: z.string(), deleted: z.literal(true) });

/** An agent's files, mediated to its runtime's file routes (docs/runtime-access.md). */
export const agentFileRoutes = {
  fileRoots: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/files/roots",
    requirement: READ,
    summary: "The agent's file roots and whether each is writable",
    params: agentParams,
    responses: { 200: fileRootsResponse },
  }),
  fileTree: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/files/tree",
    requirement: READ,
    summary: "One directory level of a root",
    params: agentParams,
    query: fileLocationQuery,
    responses: { 200: fileTreeResponse },
  }),
  fileContent: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/files/content",
    requirement: READ,
    summary: "A small file's content (utf8, or base64 when binary)",
    params: agentParams,
    query: fileTargetQuery,
    responses: { 200: fileContentResponse },
  }),
  writeFileContent: defineRoute({
    method: "PUT",
    path: "/api/agents/:agentId/files/content",
    requirement: WRITE,
    summary: "Write a small file (replaced atomically); audited",
    params: agentParams,
    body: putFileContentBody,
    responses: { 200: fileWrittenResponse },
  }),
  downloadFile: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/files/download",
    requirement: READ,
    summary: "A file's bytes, streamed, as an attachment",
    params: agentParams,
    query: fileTargetQuery,
    responses: {
      200: text("application/octet-stream", "The file's bytes (Content-Disposition: attachment)"),
    },
  }),
  uploadFile: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/files/upload",
    requirement: WRITE,
    summary:
      "Write a file from the raw request body (application/octet-stream), streamed and capped at AGENT_FILE_UPLOAD_MAX_BYTES; audited",
    params: agentParams,
    query: fileTargetQuery,
    responses: { 201: fileWrittenResponse },
  }),
  makeDirectory: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/files/mkdir",
    requirement: WRITE,
    summary: "Create a directory (and its parents); audited",
    params: agentParams,
    body: mkdirBody,
    responses: { 201: directoryCreatedResponse },
  }),
  moveFile: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/files/move",
    requirement: WRITE,
    summary: "Move or rename inside one root; audited",
    params: agentParams,
    body: moveFileBody,
    responses: { 200: fileMovedResponse },
  }),
  deleteFile: defineRoute({
    method: "DELETE",
    path: "/api/agents/:agentId/files",
    requirement: WRITE,
    summary: "Delete a file or directory (a symlink itself, never its target); audited",
    params: agentParams,
    query: fileTargetQuery,
    responses: { 200: fileDeletedResponse },
  }),
};
