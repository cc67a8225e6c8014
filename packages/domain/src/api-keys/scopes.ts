/** Written once, in the contract (docs/api.md, "API keys"). */
export { API_KEY_SCOPES, type ApiKeyScope } from "@nora/api-contract";
