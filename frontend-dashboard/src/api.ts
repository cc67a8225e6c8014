import { createAuthApi, createCaller } from "@nora/api-client";

/**
 * The API, same-origin through nginx with the session cookie (HttpOnly: nothing here holds a token).
 * `call(route, input)` takes one route of `@nora/api-contract`; pages import only the routes they use,
 * so a route's bundle carries only its part of the contract.
 */
export const api = createCaller({ baseUrl: "" });
export const auth = createAuthApi({ baseUrl: "" });
