import { badRequest, type Config, serviceUnavailable } from "@nora/core";
import { z } from "zod";

const verifyResponse = z.object({ success: z.boolean(), "error-codes": z.array(z.string()).optional() });

/**
 * Verifies a captcha token with the configured provider (Cloudflare Turnstile or Google reCAPTCHA share
 * the same siteverify protocol: form-encoded secret, response, remoteip; JSON `{ success }`).
 */
export async function verifyCaptcha(
  captcha: NonNullable<Config["identity"]["captcha"]>,
  token: string | undefined,
  remoteIp: string | undefined,
): Promise<void> {
  if (!token) throw badRequest("captcha_required", "Complete the captcha to sign up");
  const form = new URLSearchParams({ secret: captcha.secretKey, response: token });
  if (remoteIp) form.set("remoteip", remoteIp);
  let body: unknown;
  try {
    const res = await fetch(captcha.verifyUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      signal: AbortSignal.timeout(5_000),
    });
    body = await res.json();
  } catch {
    throw serviceUnavailable("captcha_unavailable", "The captcha could not be verified; try again");
  }
  const parsed = verifyResponse.safeParse(body);
  if (!parsed.success || !parsed.data.success) {
    throw badRequest("captcha_failed", "The captcha was not accepted; try again");
  }
}
