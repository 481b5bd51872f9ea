import { config } from '../src/config';
import { applyMigrations } from '../src/db/migrate';

// `npm run db:migrate`: applies pending migrations to the database named by DATABASE_URL.
applyMigrations(config().databaseUrl).then(
  () => console.log(`Migrations applied to ${config().databaseUrl}`),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
