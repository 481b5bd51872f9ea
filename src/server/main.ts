import { createServer } from 'node:http';
import { analytics, closeAnalytics } from '../analytics/serving';
import { type Config, ConfigError, config } from '../config';
import { ensureAdminKey } from '../auth/keys';
import { pruneChangeLog } from '../db/change-log';
import { db, disconnectDb } from '../db/client';
import { dialectOf } from '../db/dialect';
import { sealPlaintextPii } from '../db/pii-maintenance';
import { MigrationError, applyMigrations, compactSqlite } from '../db/migrate';
import { isDatabaseEmpty, loadDemoData } from '../domain/demo-data';
import { moveImportKeysToExternalIds } from '../domain/import-keys';
import { type Logger, createLogger } from './logger';

/** Every process prunes the change log this often; deletions by several processes do not conflict. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** How often the counts of failed attempts are appended to the database. */
const FAILED_ACCESS_FLUSH_MS = 60 * 1000;
/** How long a shutdown waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const settings = config();
  const logger = createLogger(settings.logLevel);

  await applyMigrations(settings.databaseUrl);
  const { projection } = analytics();
  const started = Date.now();
  // The graph is read while the rest starts: on SQLite on a thread of its own, or from the graph file.
  const [, , { createApp, flushFailedAccess }, { pruneWebhookLog, startWebhookDispatcher }] = await Promise.all([
    projection.refresh(),
    prepareData(settings, logger),
    import('./app'),
    import('../live/webhooks/dispatcher'),
  ]);
  await projection.refresh(); // with what preparing the data wrote
  const { store } = projection.view();
  const { from, fileIgnored } = projection.origin!;
  if (fileIgnored) logger.warn(fileIgnored);
  logger.info({ nodes: store.order, edges: store.size, ms: Date.now() - started, from }, 'built the relation graph projection');
  const adminKey = settings.production ? null : await ensureAdminKey();
  if (adminKey) printAdminKey(adminKey, settings.port);

  const pruning = setInterval(() => {
    pruneChangeLog().catch((error: unknown) => logger.warn({ err: error }, 'pruning the change log failed'));
    pruneWebhookLog(db()).catch((error: unknown) => logger.warn({ err: error }, 'pruning the webhook delivery log failed'));
  }, PRUNE_INTERVAL_MS).unref();
  // The process's periodic tasks live here, not in the app: an app made and dropped (as tests do) leaves no timer behind.
  const flushing = setInterval(() => void flushFailedAccess(logger), FAILED_ACCESS_FLUSH_MS).unref();
  const webhooks = startWebhookDispatcher(db(), settings.webhooks, logger);

  const app = createApp({ logger, production: settings.production, graphiql: settings.graphiql });
  const server = createServer(app);
  server.listen(settings.port, () => {
    logger.info(`Rapport is serving GraphQL and GraphiQL at http://localhost:${settings.port}/graphql`);
    // Once serving: copying the graph out holds the request thread for about 0.1 s at 1M relations.
    if (from === 'database') void saveGraph(logger);
    // A failure here only leaves the model to the first recommendation, which reports it.
    analytics()
      .prepareRecommendations()
      .catch((error: unknown) => logger.debug({ err: error }, 'building the default recommender\'s model ahead failed'));
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal} received; finishing in-flight requests`);
    clearInterval(pruning);
    clearInterval(flushing);
    server.close(() => {
      void webhooks
        .stop()
        .then(() => saveGraph(logger))
        // The app first: disposing it writes the last counts of failed attempts through the client.
        .then(() => app.dispose())
        .then(() => Promise.all([closeAnalytics(), disconnectDb()]))
        .then(() => process.exit(0));
    });
    // Streams (subscriptions) never finish by themselves: cut what is still open after the grace period.
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Brings stored data up to what this version serves: encrypts leftover plaintext, moves import keys, loads the demo data. */
async function prepareData(settings: Config, logger: Logger): Promise<void> {
  const sealed = await sealPlaintextPii(db());
  if (sealed > 0) {
    if (dialectOf(settings.databaseUrl) === 'sqlite') compactSqlite(settings.databaseUrl);
    logger.info({ consumers: sealed }, 'encrypted the personal data stored before encryption existed');
  }
  const importKeys = await moveImportKeysToExternalIds(db());
  if (importKeys) logger.info(importKeys, 'moved the external keys that imports kept in names to externalId');
  if (settings.demoData && (await isDatabaseEmpty())) {
    const loaded = await loadDemoData();
    logger.info(loaded, 'loaded the demo data into the empty database');
  }
}

/** Saves the relation graph for the next start to begin from; a failure only costs that start a full read. */
async function saveGraph(logger: Logger): Promise<void> {
  const started = Date.now();
  try {
    if (await analytics().projection.save()) logger.info({ ms: Date.now() - started }, 'saved the relation graph for the next start');
  } catch (error) {
    logger.warn({ err: error }, 'saving the relation graph failed; the next start reads it from the database');
  }
}

/** Shown once, on the first start, and never stored: only its hash is kept. */
function printAdminKey(key: string, port: number): void {
  process.stdout.write(
    [
      '',
      'Created an admin API key. It is shown only now; keep it somewhere safe:',
      '',
      `    ${key}`,
      '',
      `In GraphiQL (http://localhost:${port}/graphql), open Headers and paste:`,
      `    { "Authorization": "Bearer ${key}" }`,
      'More keys: npm run key -- create --role admin|provider|consumer (see README).',
      '',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(error.message);
  } else {
    console.error('Rapport could not start:', error);
  }
  process.exit(1);
});
