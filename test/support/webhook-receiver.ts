import { type Server, createServer } from 'node:http';

export interface Received {
  headers: Record<string, string>;
  body: string;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request. `respond` picks each answer's
 * status (200 by default). It can be stopped and started again on the same port, as a receiver
 * that goes down and comes back.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: (request: Received) => number = () => 200;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const received = { headers: request.headers as Record<string, string>, body };
        const status = this.respond(received);
        if (status >= 200 && status < 300) this.received.push(received);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** What was accepted, once per `webhook-id` (the de-duplication receivers do), in arrival order. */
  deduplicated(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((request) => !seen.has(request.headers['webhook-id']) && seen.add(request.headers['webhook-id']));
  }

  /** Waits until `count` distinct events were accepted, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.deduplicated().length < count) {
      if (Date.now() > deadline) throw new Error(`received ${this.deduplicated().length} of ${count} events`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.deduplicated();
  }
}

export const eventOf = (received: Received) => JSON.parse(received.body) as { type: string; timestamp: string; data: any };
