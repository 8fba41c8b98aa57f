-- Thumbnails: null when the type gets none; pending until made, then ready (or failed when the
-- image cannot be decoded). The thumbnail object is files/<id>.thumbnail.webp, beside the original.
ALTER TABLE files ADD COLUMN thumbnail text CHECK (thumbnail IN ('pending', 'ready', 'failed'));

-- Channels a file was attached to (chat.file.shared.v1 from messaging): their members may download it.
CREATE TABLE file_shares (
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  channel_id uuid NOT NULL,
  message_id uuid NOT NULL,
  shared_by uuid NOT NULL,
  shared_at timestamptz NOT NULL,
  PRIMARY KEY (file_id, channel_id)
);

-- Who belongs to which channel: a projection of chat.channel.membership.v1, so that a download is
-- authorised without calling messaging.
CREATE TABLE channel_members (
  channel_id uuid NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
