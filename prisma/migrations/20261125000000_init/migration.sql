-- CreateTable
CREATE TABLE "Consumer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "marketingConsent" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Provider" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "website" TEXT,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Relation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "consumerId" INTEGER NOT NULL,
    "providerId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "amountMinor" INTEGER,
    "currency" TEXT,
    "rating" INTEGER,
    "comment" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Relation_consumerId_fkey" FOREIGN KEY ("consumerId") REFERENCES "Consumer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Relation_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "Provider" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Consumer_email_key" ON "Consumer"("email");

-- CreateIndex
CREATE INDEX "Consumer_name_id_idx" ON "Consumer"("name", "id");

-- CreateIndex
CREATE INDEX "Consumer_createdAt_id_idx" ON "Consumer"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Provider_name_id_idx" ON "Provider"("name", "id");

-- CreateIndex
CREATE INDEX "Provider_category_name_id_idx" ON "Provider"("category", "name", "id");

-- CreateIndex
CREATE INDEX "Provider_createdAt_id_idx" ON "Provider"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Relation_consumerId_providerId_occurredAt_idx" ON "Relation"("consumerId", "providerId", "occurredAt");

-- CreateIndex
CREATE INDEX "Relation_providerId_consumerId_idx" ON "Relation"("providerId", "consumerId");

-- CreateIndex
CREATE INDEX "Relation_providerId_kind_idx" ON "Relation"("providerId", "kind");

-- CreateIndex
CREATE INDEX "Relation_occurredAt_id_idx" ON "Relation"("occurredAt", "id");

