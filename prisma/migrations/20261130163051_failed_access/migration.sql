-- CreateTable
CREATE TABLE "FailedAccess" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "minute" DATETIME NOT NULL,
    "address" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "FailedAccess_minute_id_idx" ON "FailedAccess"("minute", "id");

