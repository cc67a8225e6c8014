/** Written once, in the contract (the API, the workers and the apps name roles the same way). */
export { roleAtLeast, WORKSPACE_ROLES, type WorkspaceRole } from "@nora/api-contract";
