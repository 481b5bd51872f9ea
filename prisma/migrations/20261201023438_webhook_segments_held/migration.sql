-- CreateTable
CREATE TABLE "SegmentMembershipEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "segmentId" INTEGER NOT NULL,
    "providerId" INTEGER,
    "consumerId" INTEGER NOT NULL,
    "entered" BOOLEAN NOT NULL,
    "afterChange" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WebhookEndpoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "providerId" INTEGER,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "eventTypes" TEXT NOT NULL,
    "rankingMetric" TEXT,
    "secret" TEXT NOT NULL,
    "previousSecret" TEXT,
    "previousSecretUntil" DATETIME,
    "disabledAt" DATETIME,
    "disabledReason" TEXT,
    "failedDeliveryId" INTEGER,
    "missedEvents" INTEGER NOT NULL DEFAULT 0,
    "missedFrom" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebhookEndpoint_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "Provider" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_WebhookEndpoint" ("createdAt", "description", "disabledAt", "disabledReason", "eventTypes", "id", "previousSecret", "previousSecretUntil", "providerId", "rankingMetric", "secret", "updatedAt", "url") SELECT "createdAt", "description", "disabledAt", "disabledReason", "eventTypes", "id", "previousSecret", "previousSecretUntil", "providerId", "rankingMetric", "secret", "updatedAt", "url" FROM "WebhookEndpoint";
DROP TABLE "WebhookEndpoint";
ALTER TABLE "new_WebhookEndpoint" RENAME TO "WebhookEndpoint";
CREATE INDEX "WebhookEndpoint_providerId_id_idx" ON "WebhookEndpoint"("providerId", "id");
CREATE TABLE "new_WebhookEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messageId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "providerId" INTEGER,
    "adminOnly" BOOLEAN NOT NULL DEFAULT false,
    "metric" TEXT,
    "payload" TEXT NOT NULL,
    "changeId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_WebhookEvent" ("changeId", "createdAt", "id", "messageId", "metric", "payload", "providerId", "type") SELECT "changeId", "createdAt", "id", "messageId", "metric", "payload", "providerId", "type" FROM "WebhookEvent";
DROP TABLE "WebhookEvent";
ALTER TABLE "new_WebhookEvent" RENAME TO "WebhookEvent";
CREATE UNIQUE INDEX "WebhookEvent_messageId_key" ON "WebhookEvent"("messageId");
CREATE INDEX "WebhookEvent_createdAt_id_idx" ON "WebhookEvent"("createdAt", "id");
CREATE TABLE "new_WebhookCursor" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "position" INTEGER NOT NULL,
    "segmentPosition" INTEGER NOT NULL DEFAULT 0,
    "rankings" TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO "new_WebhookCursor" ("id", "position", "rankings") SELECT "id", "position", "rankings" FROM "WebhookCursor";
DROP TABLE "WebhookCursor";
ALTER TABLE "new_WebhookCursor" RENAME TO "WebhookCursor";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SegmentMembershipEvent_createdAt_idx" ON "SegmentMembershipEvent"("createdAt");


-- Consumers' account events were admin-only before the column said so.
UPDATE "WebhookEvent" SET "adminOnly" = 1 WHERE "type" LIKE 'consumer.%';
