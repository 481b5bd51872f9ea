-- CreateEnum
CREATE TYPE "RelationKind" AS ENUM ('PURCHASE', 'REVIEW', 'SUBSCRIPTION', 'FAVORITE');

-- CreateTable
CREATE TABLE "Consumer" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "marketingConsent" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Consumer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Provider" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "website" TEXT,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Provider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Relation" (
    "id" SERIAL NOT NULL,
    "consumerId" INTEGER NOT NULL,
    "providerId" INTEGER NOT NULL,
    "kind" "RelationKind" NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "amountMinor" INTEGER,
    "currency" TEXT,
    "rating" INTEGER,
    "comment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Relation_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Relation" ADD CONSTRAINT "Relation_consumerId_fkey" FOREIGN KEY ("consumerId") REFERENCES "Consumer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Relation" ADD CONSTRAINT "Relation_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "Provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

