-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "failedDeliveryId" INTEGER,
ADD COLUMN     "missedEvents" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "missedFrom" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "adminOnly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "WebhookCursor" ADD COLUMN     "segmentPosition" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "SegmentMembershipEvent" (
    "id" SERIAL NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "providerId" INTEGER,
    "consumerId" INTEGER NOT NULL,
    "entered" BOOLEAN NOT NULL,
    "afterChange" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SegmentMembershipEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SegmentMembershipEvent_createdAt_idx" ON "SegmentMembershipEvent"("createdAt");


-- Consumers' account events were admin-only before the column said so.
UPDATE "WebhookEvent" SET "adminOnly" = true WHERE "type" LIKE 'consumer.%';
