/**
 * Stands in for the SDK's default credential chain (`@aws-sdk/credential-provider-node`) in the
 * Lambda bundles, by an esbuild alias (infra/constructs/function.ts). Lambda hands a function its
 * role's credentials in the environment, the first place that chain looks; the rest of it (INI
 * and SSO profiles, web identity, container and instance metadata, with the STS and SSO clients
 * they carry) is about 130 KB that a function never uses and would compile at every cold start.
 * Outside the bundles (tests, scripts) the SDK keeps its full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
