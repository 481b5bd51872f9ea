-- AlterTable
ALTER TABLE "Consumer" ADD COLUMN     "externalId" TEXT;

-- AlterTable
ALTER TABLE "Provider" ADD COLUMN     "externalId" TEXT;

-- CreateTable
CREATE TABLE "ConsumerMerge" (
    "id" SERIAL NOT NULL,
    "intoId" INTEGER NOT NULL,
    "mergedId" INTEGER NOT NULL,
    "mergedExternalId" TEXT,
    "mergedCreatedAt" TIMESTAMP(3) NOT NULL,
    "mergedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsumerMerge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingDataMigration" (
    "name" TEXT NOT NULL,

    CONSTRAINT "PendingDataMigration_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConsumerMerge_mergedId_key" ON "ConsumerMerge"("mergedId");

-- CreateIndex
CREATE UNIQUE INDEX "ConsumerMerge_mergedExternalId_key" ON "ConsumerMerge"("mergedExternalId");

-- CreateIndex
CREATE INDEX "ConsumerMerge_intoId_idx" ON "ConsumerMerge"("intoId");

-- CreateIndex
CREATE UNIQUE INDEX "Consumer_externalId_key" ON "Consumer"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Provider_externalId_key" ON "Provider"("externalId");

-- AddForeignKey
ALTER TABLE "ConsumerMerge" ADD CONSTRAINT "ConsumerMerge_intoId_fkey" FOREIGN KEY ("intoId") REFERENCES "Consumer"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Imported parties kept their external key in "name" with a derived email; moving it into
-- "externalId" needs the PII keyring (consumers' emails are encrypted), so the server does it at
-- start (src/domain/import-keys.ts) and deletes this row when done.
INSERT INTO "PendingDataMigration" ("name") VALUES ('import_keys_to_external_id');
