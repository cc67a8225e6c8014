import { createAuthApi, createCaller } from "@nora/api-client";

/**
 * The API, same-origin through nginx with the session cookie (HttpOnly: nothing here holds a token).
 * Pages import only the routes they use from `@nora/api-contract`.
 */
export const api = createCaller({ baseUrl: "" });
export const auth = createAuthApi({ baseUrl: "" });
