import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIME_ROUTES } from "../src/endpoints.js";
import { type RuntimeProcess, startRuntime, TOKEN } from "./support.js";

const PROTECTED: [string, string][] = [
  ["GET", RUNTIME_ROUTES.info],
  ["GET", `${RUNTIME_ROUTES.logs}?tail=5`],
  ["POST", RUNTIME_ROUTES.exec],
  ["GET", RUNTIME_ROUTES.filesRoots],
  ["GET", `${RUNTIME_ROUTES.filesTree}?root=workspace`],
  ["GET", `${RUNTIME_ROUTES.filesContent}?root=workspace&path=a.txt`],
  ["GET", `${RUNTIME_ROUTES.filesDownload}?root=workspace&path=a.txt`],
  ["PUT", RUNTIME_ROUTES.filesContent],
  ["POST", `${RUNTIME_ROUTES.filesUpload}?root=workspace&path=b.txt`],
  ["POST", RUNTIME_ROUTES.filesMkdir],
  ["POST", RUNTIME_ROUTES.filesMove],
  ["DELETE", `${RUNTIME_ROUTES.files}?root=workspace&path=a.txt`],
  ["POST", RUNTIME_ROUTES.providersSync],
  ["GET", RUNTIME_ROUTES.metrics],
  ["GET", RUNTIME_ROUTES.terminal],
  ["GET", "/no-such-route"],
];

const WRONG_TOKENS: [string, Record<string, string>][] = [
  ["no header", {}],
  ["an empty bearer", { authorization: "Bearer " }],
  ["another scheme", { authorization: `Basic ${TOKEN}` }],
  ["a wrong token of the same length", { authorization: `Bearer ${TOKEN.slice(0, -1)}y` }],
  ["a prefix of the token", { authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
  ["the token with a suffix", { authorization: `Bearer ${TOKEN}x` }],
  ["the token in lower case scheme and padding", { authorization: `bearer  ${TOKEN}` }],
];

describe("runtime server auth", () => {
  let runtime: RuntimeProcess;
  beforeAll(async () => {
    runtime = await startRuntime();
  });
  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it("answers /health without a token", async () => {
    const response = await fetch(runtime.url("/health"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it.each(WRONG_TOKENS)("refuses every other route with %s", async (_label, headers) => {
    for (const [method, path] of PROTECTED) {
      const response = await fetch(runtime.url(path), { method, headers });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await response.json()).toEqual({
        error: "unauthorized",
        message: "missing or invalid bearer token",
        requestId: response.headers.get("x-request-id"),
      });
    }
  });

  it("never accepts the token in the URL", async () => {
    const response = await fetch(runtime.url(`/info?token=${TOKEN}&access_token=${TOKEN}`));
    expect(response.status).toBe(401);
  });

  it("lets the right token through on every route", async () => {
    for (const [method, path] of PROTECTED) {
      const response = await fetch(runtime.url(path), {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status, `${method} ${path}`).not.toBe(401);
      await response.arrayBuffer();
    }
  });
});

describe("runtime server without a configured token", () => {
  it("answers only /health", async () => {
    const runtime = await startRuntime({ token: null });
    try {
      expect((await fetch(runtime.url("/health"))).status).toBe(200);
      for (const [method, path] of PROTECTED) {
        const response = await fetch(runtime.url(path), {
          method,
          headers: { authorization: "Bearer anything" },
        });
        expect(response.status, `${method} ${path}`).toBe(401);
      }
    } finally {
      await runtime.stop();
    }
  });
});
