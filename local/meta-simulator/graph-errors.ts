import { newFbtraceId } from './ids';

/**
 * Error answers shaped like the Graph API's: `{ error: { message, type, code, error_data?,
 * error_subcode?, fbtrace_id } }`. Senders must classify on `code` (Meta says so), so each
 * builder here fixes the code and HTTP status Meta uses for that failure.
 */
export interface GraphErrorBody {
  error: {
    message: string;
    type: 'OAuthException' | 'GraphMethodException';
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

export interface GraphError {
  httpStatus: number;
  body: GraphErrorBody;
}

export function invalidAccessToken(message: string): GraphError {
  return { httpStatus: 401, body: { error: { message, type: 'OAuthException', code: 190, fbtrace_id: newFbtraceId() } } };
}

/** What Graph answers for an object id it does not know (here: another phone number id) or a wrong method. */
export function unsupportedRequest(method: string, objectId: string): GraphError {
  const message =
    `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to ` +
    'missing permissions, or does not support this operation.';
  return { httpStatus: 400, body: { error: { message, type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: newFbtraceId() } } };
}

export function unknownPath(path: string): GraphError {
  return { httpStatus: 400, body: { error: { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500, fbtrace_id: newFbtraceId() } } };
}

function whatsappError(httpStatus: number, code: number, message: string, details: string): GraphError {
  return {
    httpStatus,
    body: { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: newFbtraceId() } },
  };
}

export function invalidParameter(details: string): GraphError {
  return whatsappError(400, 100, '(#100) Invalid parameter', details);
}

export function templateNotFound(name: string, languageCode: string): GraphError {
  return whatsappError(
    404,
    132001,
    '(#132001) Template name does not exist in the translation',
    `template name (${name}) does not exist in ${languageCode}`,
  );
}

export function parameterCountMismatch(received: number, expected: number): GraphError {
  return whatsappError(
    400,
    132000,
    '(#132000) Number of parameters does not match the expected number of params',
    `body: number of localizable_params (${received}) does not match the expected number of params (${expected})`,
  );
}

/** Meta's "unknown error" (code 1): what a sender sees when the simulator itself breaks. */
export function unknownError(): GraphError {
  return { httpStatus: 500, body: { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, fbtrace_id: newFbtraceId() } } };
}
