export { type ApiClient, type ApiClientOptions, createApiClient, type RawInput, urlOf } from "./client.js";
export { ApiError, InvalidRequestError, InvalidResponseError } from "./errors.js";
export type { CallInput, CallOutput, DomainMethods, RouteMethod } from "./types.js";
