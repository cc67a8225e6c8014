export {
  type AuthApi,
  type BootstrapStatus,
  createAuthApi,
  type Me,
  type OAuthProviderLink,
  type PasswordResetInput,
  type PasswordResetRequestInput,
  type SignInInput,
  type SignUpInput,
} from "./auth.js";
export {
  type ApiClient,
  type ApiClientOptions,
  type Caller,
  createApiClient,
  createCaller,
  type RawInput,
  urlOf,
} from "./client.js";
export {
  ApiError,
  InvalidRequestError,
  InvalidResponseError,
  isApiError,
  NetworkError,
  type ValidationIssue,
} from "./errors.js";
export type { CallInput, CallOutput, DomainMethods, RouteMethod } from "./types.js";
