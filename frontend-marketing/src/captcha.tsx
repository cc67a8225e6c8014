"use client";
import type { BootstrapStatus } from "@nora/api-client";
import { useEffect, useRef, useState } from "react";

export type CaptchaConfig = NonNullable<BootstrapStatus["captcha"]>;

interface WidgetApi {
  render(element: HTMLElement, options: Record<string, unknown>): string | number;
  reset(id?: string | number): void;
  remove?(id: string | number): void;
}

declare global {
  interface Window {
    turnstile?: WidgetApi;
    grecaptcha?: WidgetApi;
  }
}

/**
 * The providers' widget scripts (explicit rendering). Loaded only when the operator configured a
 * captcha: the page contacts the provider the operator chose, and no one otherwise.
 */
export const CAPTCHA_SCRIPTS: Record<CaptchaConfig["provider"], string> = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit",
  recaptcha: "https://www.google.com/recaptcha/api.js?render=explicit",
};

const widgetApi = (provider: CaptchaConfig["provider"]): WidgetApi | undefined =>
  provider === "turnstile" ? window.turnstile : window.grecaptcha;

function loadScript(src: string): Promise<void> {
  const existing = document.querySelector<HTMLScriptElement>(`script[src="${src}"]`);
  if (existing) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("captcha script failed to load"));
    document.head.append(script);
  });
}

/** Waits for the provider's global to offer `render` (reCAPTCHA defines it after its own load step). */
async function widgetReady(provider: CaptchaConfig["provider"], timeoutMs = 10_000): Promise<WidgetApi> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const api = widgetApi(provider);
    if (typeof api?.render === "function") return api;
    if (Date.now() > deadline) throw new Error("captcha did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface CaptchaProps {
  captcha: CaptchaConfig;
  /** Changes after each refused submit: a token works once, so the widget is reset for a new one. */
  resetKey?: number;
}

/**
 * The captcha widget, rendered only when the server has one configured. Its token travels in the form
 * as the hidden `captchaToken` field; an expired or reset widget empties it.
 */
export function Captcha({ captcha, resetKey = 0 }: CaptchaProps) {
  const container = useRef<HTMLDivElement>(null);
  const widget = useRef<{ api: WidgetApi; id: string | number } | undefined>(undefined);
  const [token, setToken] = useState("");
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    const element = container.current;
    if (!element) return;
    loadScript(CAPTCHA_SCRIPTS[captcha.provider])
      .then(() => widgetReady(captcha.provider))
      .then((api) => {
        if (!live) return;
        const id = api.render(element, {
          sitekey: captcha.siteKey,
          callback: (value: string) => setToken(value),
          "expired-callback": () => setToken(""),
          "error-callback": () => setToken(""),
        });
        widget.current = { api, id };
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      const current = widget.current;
      widget.current = undefined;
      if (current?.api.remove) current.api.remove(current.id);
    };
  }, [captcha.provider, captcha.siteKey]);

  useEffect(() => {
    if (resetKey === 0) return;
    setToken("");
    const current = widget.current;
    current?.api.reset(current.id);
  }, [resetKey]);

  return (
    <div className="nora-field">
      <p className="nora-field-label">Confirm you are a person</p>
      <div ref={container} data-captcha-provider={captcha.provider} />
      <input type="hidden" name="captchaToken" value={token} />
      {failed ? (
        <p className="nora-field-error">
          The captcha could not load. Check that your browser may reach the captcha provider, then reload.
        </p>
      ) : null}
    </div>
  );
}
