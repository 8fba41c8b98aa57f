-- Transactional outbox: events are written in the same transaction as the change they announce
-- and published to Kafka afterwards by the relay, which deletes each row once Kafka has it.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  key text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
