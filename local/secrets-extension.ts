import { sendJson, type Listener } from './http';

export interface LocalSecrets {
  /** Secret id (ARN or name) → value. */
  secrets: ReadonlyMap<string, string>;
  /** Parameter name → value. */
  parameters: ReadonlyMap<string, string>;
  /** The token functions must present, as the real extension requires AWS_SESSION_TOKEN. */
  sessionToken: string;
}

/**
 * Stands in for the AWS Parameters and Secrets Lambda Extension, so functions read secrets
 * locally through the same HTTP calls they make in AWS.
 */
export function createSecretsExtension(store: LocalSecrets): Listener {
  return (req, res) => {
    if (req.headers['x-aws-parameters-secrets-token'] !== store.sessionToken) {
      return sendJson(res, 401, { message: 'missing or wrong X-Aws-Parameters-Secrets-Token' });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/secretsmanager/get') {
      const id = url.searchParams.get('secretId') ?? '';
      const value = store.secrets.get(id);
      if (value === undefined) return sendJson(res, 400, { message: `Secrets Manager can't find the specified secret: ${id}` });
      return sendJson(res, 200, { ARN: id, Name: id.split(':').pop(), SecretString: value, VersionId: 'local', VersionStages: ['AWSCURRENT'] });
    }
    if (url.pathname === '/systemsmanager/parameters/get') {
      const name = url.searchParams.get('name') ?? '';
      const value = store.parameters.get(name);
      if (value === undefined) return sendJson(res, 400, { message: `ParameterNotFound: ${name}` });
      return sendJson(res, 200, { Parameter: { Name: name, Value: value, Type: 'String', Version: 1 } });
    }
    return sendJson(res, 404, { message: 'Not Found' });
  };
}
