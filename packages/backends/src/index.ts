export * from "./docker.js";
export * from "./docker-spec.js";
export * from "./errors.js";
export * from "./types.js";
