import { metaTemplateRequests } from '#shared/templates/meta-export';
import { CONFIG_CONTEXT_KEY, parseConfig } from './config';
import { readCdkJsonContext } from './synth';

/**
 * `npm run templates:export`: prints the message templates to create at Meta, one JSON request
 * body per template and language (the format of `POST /<WABA id>/message_templates`).
 * `--shell` prints ready-to-run curl commands instead (set WABA_ID and META_ACCESS_TOKEN).
 */
const requests = metaTemplateRequests();
if (process.argv.includes('--shell')) {
  const { graphApiVersion } = parseConfig(readCdkJsonContext()[CONFIG_CONTEXT_KEY]);
  for (const request of requests) {
    const body = JSON.stringify(request).replaceAll("'", "'\\''");
    console.log(`curl -sS -X POST "https://graph.facebook.com/${graphApiVersion}/$WABA_ID/message_templates" -H "Authorization: Bearer $META_ACCESS_TOKEN" -H 'Content-Type: application/json' -d '${body}'`);
  }
} else {
  console.log(JSON.stringify(requests, null, 2));
}
