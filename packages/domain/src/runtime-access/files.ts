import type { RuntimeClient } from "@nora/agent-runtime";
import type { Pool } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { fileCallFailed, uploadTooLarge } from "./file-errors.js";
import type { RuntimeTarget } from "./target.js";

const FILE_CALL_TIMEOUT_MS = 30_000;
/** An upload or download may take long; the deadline covers only the runtime's first answer. */
const STREAM_CALL_TIMEOUT_MS = 120_000;

export interface FileLocation {
  root: string;
  path: string;
}

export interface FileContent extends FileLocation {
  content: string;
  encoding: "utf8" | "base64";
}

export interface FileMove {
  root: string;
  from: string;
  to: string;
}

/** A file's bytes on their way out: `name` is safe for a Content-Disposition header. */
export interface FileDownload {
  body: ReadableStream<Uint8Array>;
  size: number | null;
  name: string;
}

/** The last segment of a path, reduced to characters a header and every file system accept. */
export function downloadName(path: string): string {
  const last = path.split("/").filter(Boolean).pop() ?? "";
  const safe = last.replace(/[^\w.-]/g, "_").replace(/^\.+/, "_");
  return safe.slice(0, 200) || "download";
}

/**
 * Counts an upload's bytes as they pass: past `maxBytes` the stream fails before the extra chunk is
 * handed on, so the runtime never receives more than the cap. Pulled, never buffered whole.
 */
function cappedStream(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  onExceeded: () => void,
): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let total = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          return;
        }
        total += next.value.byteLength;
        if (total > maxBytes) {
          onExceeded();
          controller.error(new Error("upload exceeds the cap"));
          return;
        }
        controller.enqueue(next.value);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * An agent's files through the API: every call goes to the runtime's file routes through
 * openAgentRuntime, which decides where the runtime is. Writes are audited with root, path and size,
 * never content.
 */
export function createAgentFilesService(deps: { pool: Pool; target: RuntimeTarget; uploadMaxBytes: number }) {
  const { pool, target, uploadMaxBytes } = deps;

  async function withRuntime<T>(
    agentId: string,
    ctx: ActionContext,
    call: (client: RuntimeClient) => Promise<T>,
    timeoutMs = FILE_CALL_TIMEOUT_MS,
  ): Promise<{ workspaceId: string; result: T }> {
    const { agent, client } = await target.openAgentRuntime(agentId, { requestId: ctx.requestId, timeoutMs });
    try {
      return { workspaceId: agent.workspaceId, result: await call(client) };
    } catch (error) {
      throw fileCallFailed(error);
    }
  }

  async function audited<T>(
    agentId: string,
    ctx: ActionContext,
    action: string,
    call: (client: RuntimeClient) => Promise<T>,
    metadata: (result: T) => Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<T> {
    const { workspaceId, result } = await withRuntime(agentId, ctx, call, timeoutMs);
    await recordAudit(pool, {
      ...auditFieldsOf(ctx),
      action,
      workspaceId,
      target: { type: "agent", id: agentId },
      metadata: metadata(result),
    });
    return result;
  }

  const read = async <T>(agentId: string, ctx: ActionContext, call: (client: RuntimeClient) => Promise<T>) =>
    (await withRuntime(agentId, ctx, call)).result;

  return {
    uploadMaxBytes,

    roots: (agentId: string, ctx: ActionContext) => read(agentId, ctx, (c) => c.fileRoots()),

    tree: (agentId: string, at: FileLocation, ctx: ActionContext) =>
      read(agentId, ctx, (c) => c.fileTree(at)),

    content: (agentId: string, at: FileLocation, ctx: ActionContext) =>
      read(agentId, ctx, (c) => c.getFileContent(at)),

    async download(
      agentId: string,
      at: FileLocation,
      ctx: ActionContext,
      signal: AbortSignal,
    ): Promise<FileDownload> {
      const stream = await read(agentId, ctx, (c) => c.downloadFile(at, { signal }));
      return { body: stream.body, size: stream.size, name: downloadName(at.path) };
    },

    writeContent: (agentId: string, file: FileContent, ctx: ActionContext) =>
      audited(
        agentId,
        ctx,
        "agent.file_written",
        (c) => c.putFileContent(file),
        (r) => ({ root: r.root, path: r.path, size: r.size }),
      ),

    /**
     * Streams `body` to the runtime, at most `uploadMaxBytes` of it. A declared length over the cap is
     * refused before the runtime is opened; an undeclared one is cut at the cap.
     */
    async upload(
      agentId: string,
      at: FileLocation,
      body: AsyncIterable<Uint8Array>,
      declaredBytes: number | null,
      ctx: ActionContext,
    ) {
      if (declaredBytes !== null && declaredBytes > uploadMaxBytes) throw uploadTooLarge(uploadMaxBytes);
      let exceeded = false;
      const capped = cappedStream(body, uploadMaxBytes, () => {
        exceeded = true;
      });
      try {
        return await audited(
          agentId,
          ctx,
          "agent.file_uploaded",
          (c) => c.uploadFile(at, capped),
          (r) => ({ root: r.root, path: r.path, size: r.size }),
          STREAM_CALL_TIMEOUT_MS,
        );
      } catch (error) {
        throw exceeded ? uploadTooLarge(uploadMaxBytes) : error;
      }
    },

    makeDirectory: (agentId: string, at: FileLocation, ctx: ActionContext) =>
      audited(
        agentId,
        ctx,
        "agent.directory_created",
        (c) => c.makeDirectory(at),
        (r) => ({ root: r.root, path: r.path }),
      ),

    move: (agentId: string, move: FileMove, ctx: ActionContext) =>
      audited(
        agentId,
        ctx,
        "agent.file_moved",
        (c) => c.moveFile(move),
        (r) => ({ root: r.root, from: r.from, to: r.to }),
      ),

    remove: (agentId: string, at: FileLocation, ctx: ActionContext) =>
      audited(
        agentId,
        ctx,
        "agent.file_deleted",
        (c) => c.deleteFile(at),
        (r) => ({ root: r.root, path: r.path }),
      ),
  };
}

export type AgentFilesService = ReturnType<typeof createAgentFilesService>;
