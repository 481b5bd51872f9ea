-- A party's newest relations are read in index order instead of sorted. IF EXISTS and IF NOT
-- EXISTS: a bulk load killed with Relation's indexes deferred has dropped the old index already,
-- and must not put it back when it is resumed.
-- DropIndex
DROP INDEX IF EXISTS "Relation_consumerId_providerId_occurredAt_idx";
DELETE FROM "DeferredIndex" WHERE "name" = 'Relation_consumerId_providerId_occurredAt_idx';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "Relation_consumerId_occurredAt_id_idx" ON "Relation"("consumerId", "occurredAt", "id");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "Relation_providerId_occurredAt_id_idx" ON "Relation"("providerId", "occurredAt", "id");
