-- PostgreSQL: the database refuses any other paper_photo too.
ALTER TABLE wishes ADD CONSTRAINT wishes_paper_photo_ref CHECK (paper_photo IS NULL OR paper_photo ~ '^sha256:[0-9a-f]{64}$');
