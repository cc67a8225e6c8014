import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import "./request-context.js";

/** A client-supplied id is kept only when it is a short, log-safe token. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const supplied = req.get("x-request-id");
    req.id = supplied && SANE_REQUEST_ID.test(supplied) ? supplied : randomUUID();
    res.setHeader("X-Request-Id", req.id);
    next();
  };
}
