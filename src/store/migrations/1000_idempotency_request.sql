-- Idempotency-Key for every POST that makes or does something (server/idem.h): the hash of the
-- account, method, path and body that took the key, so the same key with another request is told
-- apart (422 idempotency_mismatch). Rows kept before have none and are told by their path.
ALTER TABLE idempotency ADD COLUMN request_hash TEXT;
