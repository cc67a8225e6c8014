import { requirementOf } from "../src/http/authorize.js";

export interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) of the real app, with the requirement its route declares (if any). */
export function inventory(
  stack: Layer[],
): Array<{ method: string; path: string; requirement: string | undefined }> {
  const out: Array<{ method: string; path: string; requirement: string | undefined }> = [];
  for (const layer of stack) {
    if (layer.route) {
      const declared = layer.route.stack.map((l) => requirementOf(l.handle)).find(Boolean);
      for (const method of Object.keys(layer.route.methods)) {
        out.push({ method: method.toUpperCase(), path: layer.route.path, requirement: declared?.kind });
      }
    } else if (layer.handle?.stack) {
      out.push(...inventory(layer.handle.stack));
    }
  }
  return out;
}

// Routes anyone may call. Adding to this list is a security decision: say why in the review.
export const PUBLIC_ROUTES = [
  "GET /api/health",
  "GET /api/ready",
  "GET /api/auth/bootstrap-status",
  "POST /api/auth/signup",
  "POST /api/auth/login",
  // Password reset: asking answers the same for every address; setting needs the mailed token.
  "POST /api/auth/password-reset/request",
  "POST /api/auth/password-reset",
  // OAuth sign-in: a browser starts it signed out; the callback is guarded by a single-use state
  // bound to the browser that started the flow (see docs/security.md, "OAuth sign-in").
  "GET /api/auth/oauth/:provider/start",
  "GET /api/auth/oauth/:provider/callback",
];
