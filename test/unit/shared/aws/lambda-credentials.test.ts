import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '#shared/aws/lambda-credentials';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE'] as const;

describe('the bundles\' credential provider', () => {
  const saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));
  beforeEach(() => KEYS.forEach((key) => delete process.env[key]));
  afterEach(() => KEYS.forEach((key) => (saved[key] === undefined ? delete process.env[key] : (process.env[key] = saved[key]))));

  it("reads the role's session credentials Lambda puts in the environment", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    process.env.AWS_SESSION_TOKEN = 'token-example';
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'token-example' });
  });

  it('fails with a clear error, and looks nowhere else, when the environment has none', async () => {
    process.env.AWS_PROFILE = 'never-read';
    await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID|environment/i);
  });
});
