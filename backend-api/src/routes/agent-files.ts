import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { API } from "@nora/api-contract";
import { AppError } from "@nora/core";
import type { AgentFilesService } from "@nora/domain/runtime-access/files";
import { type Request, Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";

const UPLOAD_PATH = /^\/api\/agents\/[^/]+\/files\/upload\/?$/;

/** An upload's raw body: json-body leaves it unread, for the upload route to stream to the runtime. */
export function isAgentFileUpload(req: Request): boolean {
  return req.method === "POST" && UPLOAD_PATH.test(req.path) && req.is("application/octet-stream") !== false;
}

function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}

function declaredLength(req: Request): number | null {
  const length = req.headers["content-length"];
  return length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : null;
}

export function agentFileRoutes(deps: { files: AgentFilesService; requires: Requires }): Router {
  const { files, requires } = deps;
  const router = Router();
  const ctx = (req: Request) => ({ ...contextOf(req), actor: actorOf(req) });

  mount(router, requires, API.agentFiles.fileRoots, async (req, _res, { params }, reply) => {
    reply(200, await files.roots(params.agentId, ctx(req)));
  });

  mount(router, requires, API.agentFiles.fileTree, async (req, _res, { params, query }, reply) => {
    reply(200, await files.tree(params.agentId, query, ctx(req)));
  });

  mount(router, requires, API.agentFiles.fileContent, async (req, _res, { params, query }, reply) => {
    reply(200, await files.content(params.agentId, query, ctx(req)));
  });

  mount(router, requires, API.agentFiles.writeFileContent, async (req, _res, { params, body }, reply) => {
    reply(200, await files.writeContent(params.agentId, body, ctx(req)));
  });

  mount(router, requires, API.agentFiles.downloadFile, async (req, res, { params, query }) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const file = await files.download(params.agentId, query, ctx(req), abort.signal);
    res.status(200).set({
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${file.name}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      ...(file.size === null ? {} : { "Content-Length": String(file.size) }),
    });
    // A client that goes away aborts the runtime call; a runtime that breaks off cuts the response short.
    await pipeline(Readable.fromWeb(file.body as NodeReadableStream<Uint8Array>), res).catch(() => {
      res.destroy();
    });
  });

  mount(router, requires, API.agentFiles.uploadFile, async (req, _res, { params, query }, reply) => {
    if (hasBody(req) && !req.is("application/octet-stream")) {
      throw new AppError(415, "unsupported_media_type", "Uploads are sent as application/octet-stream");
    }
    reply(201, await files.upload(params.agentId, query, req, declaredLength(req), ctx(req)));
  });

  mount(router, requires, API.agentFiles.makeDirectory, async (req, _res, { params, body }, reply) => {
    reply(201, await files.makeDirectory(params.agentId, body, ctx(req)));
  });

  mount(router, requires, API.agentFiles.moveFile, async (req, _res, { params, body }, reply) => {
    reply(200, await files.move(params.agentId, body, ctx(req)));
  });

  mount(router, requires, API.agentFiles.deleteFile, async (req, _res, { params, query }, reply) => {
    reply(200, await files.remove(params.agentId, query, ctx(req)));
  });

  return router;
}
