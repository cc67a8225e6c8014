import type { AddressInfo } from "node:net";
import express, { Router } from "express";
import helmet from "helmet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helmetOptions } from "../src/http/security-headers.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";

/** The headers helmet itself sets with Nora's options, from a bare Express app running helmet(). */
async function helmetReference(options: Parameters<typeof helmet>[0]): Promise<Headers> {
  const reference = express()
    .use(helmet(options))
    .get("/", (_req, res) => {
      res.json({});
    });
  const server = reference.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).headers;
  } finally {
    server.close();
  }
}

const HELMET_HEADERS = [
  "content-security-policy",
  "cross-origin-embedder-policy",
  "cross-origin-opener-policy",
  "cross-origin-resource-policy",
  "origin-agent-cluster",
  "referrer-policy",
  "strict-transport-security",
  "x-content-type-options",
  "x-dns-prefetch-control",
  "x-download-options",
  "x-frame-options",
  "x-permitted-cross-domain-policies",
  "x-powered-by",
  "x-xss-protection",
];

const pick = (headers: Headers) => Object.fromEntries(HELMET_HEADERS.map((h) => [h, headers.get(h)]));

describe("security headers, CORS and request ids", () => {
  let app: TestApp;
  const boom = Router().get("/api/test/boom", () => {
    throw new Error("boom");
  });

  beforeAll(async () => {
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, CORS_ORIGINS: "https://ops.example.org" },
      routes: [boom],
    });
  });
  afterAll(() => app.close());

  const cases: Array<[string, string, RequestInit, number]> = [
    ["health", "/api/health", {}, 200],
    ["unknown route", "/api/nope", {}, 404],
    [
      "invalid json",
      "/api/health",
      { method: "POST", body: "{", headers: { "content-type": "application/json" } },
      400,
    ],
    ["internal error", "/api/test/boom", {}, 500],
  ];

  it.each(cases)("sets the strict headers on %s", async (_name, path, init, status) => {
    const res = await fetch(app.url + path, init);
    expect(res.status).toBe(status);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("allows a configured origin with credentials", async () => {
    const res = await fetch(`${app.url}/api/health`, { headers: { origin: "https://ops.example.org" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://ops.example.org");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    const preflight = await fetch(`${app.url}/api/health`, {
      method: "OPTIONS",
      headers: { origin: "https://ops.example.org", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("gives no CORS grant to any other origin", async () => {
    for (const origin of ["https://evil.example", "null", "https://ops.example.org.evil.example"]) {
      const res = await fetch(`${app.url}/api/health`, { headers: { origin } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("echoes a sane client request id and logs it on the access line", async () => {
    const res = await fetch(`${app.url}/api/health`, { headers: { "x-request-id": "trace-abc.123:x" } });
    expect(res.headers.get("x-request-id")).toBe("trace-abc.123:x");
    const line = app.logs.entries().find((e) => e.requestId === "trace-abc.123:x");
    expect(line).toBeDefined();
    expect(line?.msg).toBe("request completed");
  });

  it("replaces an unsafe client request id", async () => {
    const res = await fetch(`${app.url}/api/nope`, { headers: { "x-request-id": "bad id\twith spaces" } });
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { requestId: string };
    expect(body.requestId).toBe(id);
  });

  it("sends HSTS when TLS is terminated upstream", async () => {
    const tls = await startTestApp({ env: { ...NO_RATE_LIMITS, PUBLIC_URL: "https://nora.example.org" } });
    try {
      const res = await fetch(`${tls.url}/api/health`);
      expect(res.headers.get("strict-transport-security")).toContain("max-age=31536000");
    } finally {
      await tls.close();
    }
  });

  it("sends exactly the set helmet computes from Nora's options, on every response, with and without TLS", async () => {
    const tls = await startTestApp({ env: { ...NO_RATE_LIMITS, PUBLIC_URL: "https://nora.example.org" } });
    try {
      for (const target of [app, tls]) {
        const expected = pick(await helmetReference(helmetOptions(target.config)));
        expect(expected["content-security-policy"]).toBe(
          "default-src 'self';frame-ancestors 'none';object-src 'none';base-uri 'none';form-action 'self'",
        );
        for (const [path, init] of cases.map(([, p, i]) => [p, i] as const)) {
          expect(pick((await fetch(target.url + path, init)).headers)).toEqual(expected);
        }
      }
    } finally {
      await tls.close();
    }
  });
});

describe("a browser on another address than PUBLIC_URL", () => {
  const login = (app: TestApp, origin: string) =>
    fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email: "nobody@example.org", password: "not the password" }),
    });

  it("is told which setting to change, and nothing secret", async () => {
    // The old default: the stack answered at 127.0.0.1 while PUBLIC_URL said localhost.
    const app = await startTestApp({ env: { ...NO_RATE_LIMITS, PUBLIC_URL: "http://localhost:8080" } });
    try {
      const res = await login(app, "http://127.0.0.1:8080");
      expect(res.status).toBe(403);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.error).toBe("csrf_origin_mismatch");
      expect(body.requestId).toBe(res.headers.get("x-request-id"));
      expect(body.message).toMatch(/PUBLIC_URL/);
      expect(body.message).toMatch(/CORS_ORIGINS/);
      expect(body.message).toContain("http://127.0.0.1:8080");
      expect(body.message).toContain("http://localhost:8080");
      expect(body.details).toEqual({
        origin: "http://127.0.0.1:8080",
        publicOrigin: "http://localhost:8080",
        settings: ["PUBLIC_URL", "CORS_ORIGINS"],
      });
      const text = JSON.stringify(body);
      expect(text).not.toContain(app.config.identity.jwtSecret);
      expect(text).not.toContain(app.config.redis.keyPrefix);
      // A junk origin is not echoed back.
      const junk = (await (await login(app, "http://x/<script>")).json()) as { message: string };
      expect(junk.message).not.toContain("<script>");
      expect(junk.message).toContain("this page's origin");
    } finally {
      await app.close();
    }
  });

  it("is not refused with the defaults, where PUBLIC_URL is the address the stack answers at", async () => {
    const app = await startTestApp({ env: { ...NO_RATE_LIMITS, PUBLIC_URL: "" } });
    try {
      expect(app.config.api.publicUrl).toBe("http://127.0.0.1:8080");
      expect((await login(app, "http://127.0.0.1:8080")).status).toBe(401);
      // CORS_ORIGINS adds an origin without taking PUBLIC_URL's away.
      const both = await startTestApp({
        env: { ...NO_RATE_LIMITS, PUBLIC_URL: "", CORS_ORIGINS: "http://localhost:8080" },
      });
      try {
        expect((await login(both, "http://localhost:8080")).status).toBe(401);
        expect((await login(both, "http://127.0.0.1:8080")).status).toBe(401);
      } finally {
        await both.close();
      }
    } finally {
      await app.close();
    }
  });
});
