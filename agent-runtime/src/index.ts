export * from "./bootstrap/hermes.js";
export * from "./bootstrap/openclaw.js";
export * from "./bootstrap/schema.js";
export * from "./catalog.js";
export * from "./endpoints.js";
export * from "./environment.js";
export * from "./hardening.js";
export * from "./layout.js";
export { RUNTIME_PORTS, type RuntimePortName } from "./ports.js";
