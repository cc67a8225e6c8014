export * from "./docker.js";
export * from "./docker-spec.js";
export * from "./errors.js";
export * from "./kubernetes.js";
export * from "./kubernetes-manifests.js";
export * from "./kubernetes-status.js";
export * from "./types.js";
