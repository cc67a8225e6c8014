import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateGatewayDeviceKey } from "../src/openclaw-device.js";
import { type RuntimeProcess, startRuntime } from "./support.js";

/**
 * `POST /gateway/device-pairing` at the real runtime server process. Approving needs OpenClaw's plugin
 * SDK (in the image: gateway-proxy-openclaw.test.ts pairs a real gateway through it); here it is
 * absent, so the route must fail closed, and refuse everything it should refuse before trying.
 */
const post = (runtime: RuntimeProcess, body: unknown, type = "application/json") =>
  runtime.call("/gateway/device-pairing", {
    method: "POST",
    headers: { "content-type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the runtime's gateway pairing route", () => {
  let withKey: RuntimeProcess;
  let withoutKey: RuntimeProcess;

  beforeAll(async () => {
    withKey = await startRuntime({
      agentCommand: null,
      env: { NORA_GATEWAY_DEVICE_PUBLIC_KEY: generateGatewayDeviceKey().publicKey },
    });
    withoutKey = await startRuntime({ agentCommand: null });
  });
  afterAll(async () => {
    await withKey?.stop();
    await withoutKey?.stop();
  });

  it("needs the runtime token", async () => {
    const res = await fetch(withKey.url("/gateway/device-pairing"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requestId: "abc" }),
    });
    expect(res.status).toBe(401);
  });

  it("refuses a body that is not exactly a request id (400, 415)", async () => {
    for (const body of [{}, { requestId: "" }, { requestId: "a/b" }, { requestId: "ok", scopes: ["x"] }]) {
      const res = await post(withKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    }
    expect((await post(withKey, "requestId=1", "text/plain")).status).toBe(415);
  });

  it("answers 409 on a runtime that was given no device key", async () => {
    const res = await post(withoutKey, { requestId: "5d1b9a1c-0000-4000-8000-000000000000" });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("no_gateway_device");
  });

  it("fails closed (502) when OpenClaw's pairing store cannot be used", async () => {
    const res = await post(withKey, { requestId: "5d1b9a1c-0000-4000-8000-000000000000" });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string; requestId: string };
    expect(body.error).toBe("gateway_pairing_failed");
    expect(body.requestId).toEqual(expect.any(String));
  });
});
