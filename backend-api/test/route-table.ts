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
