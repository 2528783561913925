-- A grant attachment's sha256 is the 64 lowercase hex characters of its file's reference
-- (core/files.h), as the upload stores it; the database refuses anything else from now on. Rows
-- that hold something else already are refused when read (409 file_ref_invalid), never opened.
CREATE TRIGGER grant_attachments_sha256_insert BEFORE INSERT ON grant_attachments
WHEN NOT (typeof(NEW.sha256) = 'text' AND length(NEW.sha256) = 64 AND ltrim(NEW.sha256, '0123456789abcdef') = '')
BEGIN SELECT RAISE(ABORT, 'grant_attachments.sha256 is not 64 lowercase hex characters'); END;
CREATE TRIGGER grant_attachments_sha256_update BEFORE UPDATE OF sha256 ON grant_attachments
WHEN NOT (typeof(NEW.sha256) = 'text' AND length(NEW.sha256) = 64 AND ltrim(NEW.sha256, '0123456789abcdef') = '')
BEGIN SELECT RAISE(ABORT, 'grant_attachments.sha256 is not 64 lowercase hex characters'); END;
