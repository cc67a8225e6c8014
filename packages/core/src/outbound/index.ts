// The SSRF-guarded outbound client: every operator-configured destination (provider, integration,
// channel, SMTP) is reached through it. Domain-free, so the API and the workers share one guard.
export * from "./address-policy.js";
export * from "./client.js";
export { allowlistOf, hostOfUrl, hostProblem } from "./destination.js";
export * from "./smtp.js";
