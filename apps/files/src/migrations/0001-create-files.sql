-- File metadata; the bytes live in the object store under key files/<id>.
CREATE TABLE files (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL,
  name text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  checksum text,
  status text NOT NULL CHECK (status IN ('pending', 'ready')),
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX files_pending_created ON files (created_at) WHERE status = 'pending';
