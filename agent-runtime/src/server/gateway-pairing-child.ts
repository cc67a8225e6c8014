/**
 * The child process of gateway-pairing.ts: reads `{requestId, publicKey, openclawHome}` as JSON on
 * stdin, finds that pending request through OpenClaw's plugin SDK, approves it only when
 * `judgePendingPairing` says it is Nora's device, and writes one JSON line (a PairingOutcome).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { NORA_GATEWAY_DEVICE_SCOPES } from "../openclaw-device.js";
import { judgePendingPairing, type PairingOutcome, type PendingPairing } from "./gateway-pairing.js";

interface DeviceBootstrapSdk {
  listDevicePairing(): Promise<{ pending: PendingPairing[] }>;
  approveDevicePairing(
    requestId: string,
    options: { callerScopes: readonly string[]; autoApproveNewDeviceScopes: readonly string[] },
  ): Promise<{ status: string; reason?: string; device?: { deviceId?: string; scopes?: string[] } } | null>;
}

async function readStdin(): Promise<{ requestId: string; publicKey: string; openclawHome: string }> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return JSON.parse(text);
}

async function main(): Promise<PairingOutcome> {
  const { requestId, publicKey, openclawHome } = await readStdin();
  const entry = createRequire(join(openclawHome, "package.json")).resolve(
    "openclaw/plugin-sdk/device-bootstrap",
  );
  const sdk = (await import(pathToFileURL(entry).href)) as DeviceBootstrapSdk;
  const { pending } = await sdk.listDevicePairing();
  const request = pending.find((candidate) => candidate.requestId === requestId);
  if (!request) return { status: "not_found" };
  const refusal = judgePendingPairing(request, publicKey);
  if (refusal) return { status: "refused", reason: refusal };
  // A new device is approved with Nora's whole set, whatever its first connect asked for, so a later
  // connect of a broader caller never needs another approval.
  const result = await sdk.approveDevicePairing(requestId, {
    callerScopes: NORA_GATEWAY_DEVICE_SCOPES,
    autoApproveNewDeviceScopes: NORA_GATEWAY_DEVICE_SCOPES,
  });
  if (result?.status !== "approved") {
    return { status: "refused", reason: `the gateway did not approve it (${result?.reason ?? "expired"})` };
  }
  return {
    status: "approved",
    deviceId: result.device?.deviceId ?? request.deviceId,
    scopes: result.device?.scopes ?? [],
  };
}

main().then(
  (outcome) => {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
