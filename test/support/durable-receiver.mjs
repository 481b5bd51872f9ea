// A webhook receiver in its own process, for tests that kill it: it appends each request it
// accepts (webhook-id, headers, body) to RECEIVED_FILE as one JSON line, synchronously, before
// answering. With DIE_AFTER=n it kills itself (SIGKILL) right after storing the n-th request and
// before answering it: the event is stored, but Rapport sees the connection drop and sends it again.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.env.RECEIVED_FILE;
const dieAfter = Number(process.env.DIE_AFTER ?? 0);
let stored = 0;

createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, request.headers[name]]));
    appendFileSync(file, `${JSON.stringify({ headers, body })}\n`);
    if (++stored === dieAfter) process.kill(process.pid, 'SIGKILL');
    response.writeHead(204).end();
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
