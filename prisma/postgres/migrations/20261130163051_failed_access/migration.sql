-- CreateTable
CREATE TABLE "FailedAccess" (
    "id" SERIAL NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "address" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "FailedAccess_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FailedAccess_minute_id_idx" ON "FailedAccess"("minute", "id");

