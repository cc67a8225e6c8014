// oidc-provider ships no type declarations; the tests use a handful of its calls.
declare module "oidc-provider" {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped third-party module, used only by test fakes
  const Provider: any;
  export default Provider;
}
