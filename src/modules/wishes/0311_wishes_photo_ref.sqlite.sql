-- SQLite: the database refuses any other paper_photo too (SQLite cannot add a CHECK to a table).
CREATE TRIGGER wishes_paper_photo_ref_insert BEFORE INSERT ON wishes
WHEN NEW.paper_photo IS NOT NULL
 AND NOT (typeof(NEW.paper_photo) = 'text' AND length(NEW.paper_photo) = 71 AND substr(NEW.paper_photo, 1, 7) = 'sha256:'
          AND ltrim(substr(NEW.paper_photo, 8), '0123456789abcdef') = '')
BEGIN SELECT RAISE(ABORT, 'wishes.paper_photo is not a file reference (sha256: and 64 lowercase hex characters)'); END;
CREATE TRIGGER wishes_paper_photo_ref_update BEFORE UPDATE OF paper_photo ON wishes
WHEN NEW.paper_photo IS NOT NULL
 AND NOT (typeof(NEW.paper_photo) = 'text' AND length(NEW.paper_photo) = 71 AND substr(NEW.paper_photo, 1, 7) = 'sha256:'
          AND ltrim(substr(NEW.paper_photo, 8), '0123456789abcdef') = '')
BEGIN SELECT RAISE(ABORT, 'wishes.paper_photo is not a file reference (sha256: and 64 lowercase hex characters)'); END;
