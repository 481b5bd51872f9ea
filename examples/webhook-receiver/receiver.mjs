// A Rapport webhook receiver with no dependencies: it verifies Standard Webhooks signatures,
// refuses stale or replayed requests, handles each event once (by webhook-id), and answers fast.
//
//   WEBHOOK_SECRET=whsec_… PORT=8080 node examples/webhook-receiver/receiver.mjs
//
// It prints one JSON line per new event. A real receiver would store the event and the
// webhook-id in one transaction, then answer 2xx; Rapport retries anything else.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const SECRETS = (process.env.WEBHOOK_SECRET ?? '').split(/\s+/).filter(Boolean); // during a rotation: old and new
const PORT = Number(process.env.PORT ?? 8080);
const TOLERANCE_SECONDS = 5 * 60; // Standard Webhooks' suggestion: refuse older (or future) timestamps
const MAX_BODY_BYTES = 1_000_000;

if (SECRETS.length === 0 || !SECRETS.every((secret) => secret.startsWith('whsec_'))) {
  console.error('Set WEBHOOK_SECRET to the whsec_… secret registerWebhookEndpoint returned (two, space-separated, during a rotation).');
  process.exit(1);
}

/** Whether one of the request's `v1,` signatures matches one of our secrets. */
function verified(id, timestamp, body, signatureHeader) {
  const signed = `${id}.${timestamp}.${body}`;
  const expected = SECRETS.map((secret) =>
    createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(signed).digest(),
  );
  return signatureHeader.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return expected.some((digest) => digest.length === given.length && timingSafeEqual(digest, given));
  });
}

// In memory for the example; a real receiver keeps these with the events it stored.
const seen = new Set();

createServer((request, response) => {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const id = request.headers['webhook-id'];
    const timestamp = Number(request.headers['webhook-timestamp']);
    const signature = request.headers['webhook-signature'] ?? '';
    if (!id || !Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS) {
      return response.writeHead(400).end('missing or stale webhook headers');
    }
    if (!verified(id, timestamp, body, signature)) return response.writeHead(401).end('bad signature');
    if (!seen.has(id)) {
      seen.add(id);
      const event = JSON.parse(body);
      console.log(JSON.stringify({ id, type: event.type, data: event.data }));
    }
    response.writeHead(204).end(); // a duplicate (a retry or replay) is acknowledged, not handled again
  });
}).listen(PORT, '127.0.0.1', () => console.error(`receiving webhooks on http://127.0.0.1:${PORT}/`));
