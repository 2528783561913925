-- A grant attachment's sha256 is the 64 lowercase hex characters of its file's reference
-- (core/files.h), as the upload stores it; the database refuses anything else from now on (NOT
-- VALID: rows that hold something else already are refused when read, 409 file_ref_invalid).
ALTER TABLE grant_attachments ADD CONSTRAINT grant_attachments_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$') NOT VALID;
