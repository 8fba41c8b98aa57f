-- A file shared in two messages of one channel is one share per message, so deleting one of them
-- leaves the other's share in force.
ALTER TABLE file_shares DROP CONSTRAINT file_shares_pkey;
ALTER TABLE file_shares ADD PRIMARY KEY (file_id, channel_id, message_id);
CREATE INDEX file_shares_message ON file_shares (file_id, message_id);

-- Shares taken back because their message was deleted (chat.file.shared.v1 `revoked`). Kept so a
-- share record of the same message that arrives later (replays, the after-store step running
-- behind the delete) is not recorded again.
CREATE TABLE file_share_revocations (
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  message_id uuid NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (file_id, message_id)
);
