import { createClient } from 'graphql-sse';

/** Everything the page shows comes through the GraphQL API with the key the person pasted, so it sees what that key may. */

const KEY_ITEM = 'rapport.explorer.apiKey';
/** Requests in flight at once: the server admits a few per address, and a subscription holds one. */
const CONCURRENT_REQUESTS = 2;

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_ITEM);

export class ApiError extends Error {
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

interface GraphQLResult<Data> {
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

/** A query's data and the errors of the fields the key may not see (their data is null). */
export interface Answer<Data> {
  data: Data;
  refused: string[];
}

export class Api {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly sse;

  constructor(private readonly key: string) {
    this.sse = createClient({ url: '/graphql', headers: () => ({ authorization: `Bearer ${key}` }), retryAttempts: 5 });
  }

  /** Runs a query; fails when it has no data at all, else answers with the refused fields named. */
  async query<Data>(document: string, variables: Record<string, unknown> = {}): Promise<Answer<Data>> {
    const result = await this.limited(() => this.post<Data>(document, variables));
    if (!result.data) {
      const errors = result.errors ?? [];
      throw new ApiError(errors.map((error) => error.message).join('; ') || 'The server sent no data', errors.map((e) => e.extensions?.code ?? ''));
    }
    return { data: result.data, refused: (result.errors ?? []).map((error) => (error.path ?? []).join('.')) };
  }

  /** Calls `onEvent` with each event of a subscription (Server-Sent Events); returns how to stop it. */
  subscribe<Data>(document: string, variables: Record<string, unknown>, onEvent: (data: Data) => void, onError: (error: string) => void): () => void {
    return this.sse.subscribe<Data>(
      { query: document, variables },
      {
        next: (result) => (result.data ? onEvent(result.data as Data) : onError((result.errors ?? []).map((e) => e.message).join('; '))),
        error: (error) => onError(error instanceof Error ? error.message : 'the live connection failed'),
        complete: () => undefined,
      },
    );
  }

  dispose(): void {
    this.sse.dispose();
  }

  private async post<Data>(document: string, variables: Record<string, unknown>): Promise<GraphQLResult<Data>> {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${this.key}` },
      body: JSON.stringify({ query: document, variables }),
    });
    if (response.status === 429) throw new ApiError('The server is busy (rate limit): try again in a moment', ['RATE_LIMITED']);
    return (await response.json()) as GraphQLResult<Data>;
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= CONCURRENT_REQUESTS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
