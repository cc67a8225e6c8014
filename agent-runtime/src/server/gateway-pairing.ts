import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { gatewayDeviceIdOf, NORA_GATEWAY_DEVICE_SCOPES } from "../openclaw-device.js";

/** A pending pairing request as OpenClaw's `listDevicePairing` lists it (the fields judged here). */
export interface PendingPairing {
  requestId: string;
  deviceId: string;
  publicKey: string;
  role?: string;
  roles?: string[];
  scopes?: string[];
}

/** What the child process answers: one JSON line on stdout. */
export type PairingOutcome =
  | { status: "approved"; deviceId: string; scopes: string[] }
  | { status: "not_found" }
  | { status: "refused"; reason: string };

/**
 * Why a pending request is not Nora's to approve, or null when it is: the public key and the device id
 * it derives must be Nora's, the role `operator` only, and every requested scope within the set Nora's
 * device may hold. Anything else (a browser, a node, an admin scope) is refused, whoever asks.
 */
export function judgePendingPairing(pending: PendingPairing, publicKey: string): string | null {
  if (pending.publicKey !== publicKey) return "public key is not Nora's device";
  if (pending.deviceId !== gatewayDeviceIdOf(publicKey)) return "device id does not match the key";
  const roles = pending.roles ?? (pending.role ? [pending.role] : []);
  if (pending.role !== "operator" || roles.some((role) => role !== "operator")) {
    return "only the operator role is approved";
  }
  const allowed = new Set<string>(NORA_GATEWAY_DEVICE_SCOPES);
  const extra = (pending.scopes ?? []).find((scope) => !allowed.has(scope));
  return extra === undefined ? null : `scope ${extra} is beyond Nora's device`;
}

const CHILD = fileURLToPath(new URL("./gateway-pairing-child.js", import.meta.url));
const CHILD_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 64 * 1024;

export interface GatewayPairingOptions {
  /** Nora's device key (NORA_GATEWAY_DEVICE_PUBLIC_KEY). */
  publicKey: string;
  /** Where OpenClaw is installed (its package.json names the plugin SDK's entry points). */
  openclawHome: string;
  /** The runtime's own environment: OPENCLAW_STATE_DIR and friends, no secrets. */
  env: Record<string, string>;
}

/**
 * Approves the gateway's pairing request of Nora's device through OpenClaw's own plugin SDK
 * (`openclaw/plugin-sdk/device-bootstrap`: `listDevicePairing`, `approveDevicePairing`), in a child
 * process so OpenClaw's modules and database handles never live in the runtime server. One approval
 * at a time.
 */
export class GatewayPairing {
  readonly #options: GatewayPairingOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: GatewayPairingOptions) {
    this.#options = options;
  }

  approve(requestId: string): Promise<PairingOutcome> {
    const run = this.#queue.then(() => this.#runChild(requestId));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #runChild(requestId: string): Promise<PairingOutcome> {
    const { publicKey, openclawHome, env } = this.#options;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD], { env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let err = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        if (out.length < MAX_OUTPUT_BYTES) out += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        if (err.length < MAX_OUTPUT_BYTES) err += chunk;
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        const line = out.trim().split("\n").at(-1) ?? "";
        try {
          if (code !== 0) throw new Error(`exited with ${code ?? signal}`);
          resolve(parseOutcome(JSON.parse(line)));
        } catch (error) {
          const detail = err.trim().split("\n").at(-1)?.slice(0, 300) ?? "";
          reject(
            new Error(`gateway pairing failed: ${(error as Error).message}${detail ? `: ${detail}` : ""}`),
          );
        }
      });
      child.stdin.end(JSON.stringify({ requestId, publicKey, openclawHome }));
    });
  }
}

function parseOutcome(value: unknown): PairingOutcome {
  const outcome = value as Partial<PairingOutcome> | null;
  if (outcome?.status === "approved" || outcome?.status === "not_found" || outcome?.status === "refused") {
    return outcome as PairingOutcome;
  }
  throw new Error("unexpected answer");
}
