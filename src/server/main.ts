import { createServer } from 'node:http';
import { analytics, closeAnalytics } from '../analytics';
import { ConfigError, config } from '../config';
import { disconnectDb } from '../db/client';
import { MigrationError, applyMigrations } from '../db/migrate';
import { isDatabaseEmpty, loadDemoData } from '../domain/demo-data';
import { createApp } from './app';
import { createLogger } from './logger';

/** How long a shutdown waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const settings = config();
  const logger = createLogger(settings.logLevel);

  await applyMigrations(settings.databaseUrl);
  if (settings.demoData && (await isDatabaseEmpty())) {
    const loaded = await loadDemoData();
    logger.info(loaded, 'loaded the demo data into the empty database');
  }

  const started = Date.now();
  const { graph } = analytics().projection.view();
  logger.info({ nodes: graph.order, edges: graph.size, ms: Date.now() - started }, 'built the relation graph projection');

  const server = createServer(createApp({ logger, production: settings.production }));
  server.listen(settings.port, () => {
    logger.info(`Rapport is serving GraphQL and GraphiQL at http://localhost:${settings.port}/graphql`);
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal} received; finishing in-flight requests`);
    server.close(() => {
      void Promise.all([closeAnalytics(), disconnectDb()]).then(() => process.exit(0));
    });
    // Streams (subscriptions) never finish by themselves: cut what is still open after the grace period.
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(error.message);
  } else {
    console.error('Rapport could not start:', error);
  }
  process.exit(1);
});
