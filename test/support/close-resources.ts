import { closeAnalytics } from '../../src/analytics/serving';
import { disconnectDb } from '../../src/db/client';

// Each test file stops its analytics worker and database client, so jest can exit.
afterAll(async () => {
  await closeAnalytics();
  await disconnectDb();
});
