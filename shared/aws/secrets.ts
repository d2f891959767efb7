/**
 * Secrets and parameters through the AWS Parameters and Secrets Lambda Extension, a local
 * HTTP endpoint: no SDK client in the bundle, and the local stack serves the same protocol.
 * Values are cached briefly so a rotated secret is picked up without a redeploy.
 */
const CACHE_TTL_MS = 60_000;
const cache = new Map<string, { value: string; expiresAt: number }>();

function extensionUrl(path: string): string {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  return `http://localhost:${port}${path}`;
}

async function getFromExtension(path: string): Promise<unknown> {
  const response = await fetch(extensionUrl(path), {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) throw new Error(`Secrets extension answered HTTP ${response.status} for ${path.split('?')[0]}`);
  return response.json();
}

async function cachedValue(path: string, pick: (body: unknown) => string | undefined): Promise<string> {
  const cached = cache.get(path);
  if (cached !== undefined && cached.expiresAt > Date.now()) return cached.value;
  const value = pick(await getFromExtension(path));
  if (value === undefined || value === '') throw new Error(`Secrets extension returned no value for ${path.split('?')[0]}`);
  cache.set(path, { value, expiresAt: Date.now() + CACHE_TTL_MS });
  return value;
}

export function readSecret(secretId: string): Promise<string> {
  return cachedValue(`/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, (body) => (body as { SecretString?: string }).SecretString);
}

export function readParameter(name: string): Promise<string> {
  return cachedValue(
    `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=true`,
    (body) => (body as { Parameter?: { Value?: string } }).Parameter?.Value,
  );
}
