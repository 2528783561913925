-- A wish's paper_photo names a file only as 'sha256:' and the file's SHA-256 in 64 lowercase hex
-- characters, the reference the form-photo upload makes (core/files.h); no body sets it. Values
-- written before this rule were free text from the intake form (a file name, a URL, or an attempt
-- at a path such as 'sha256:../../secret.key'): they move to paper_photo_note, which nothing ever
-- opens or serves, kept for whoever needs to look at them, and paper_photo is emptied for them.
-- The test is written with ltrim so that it means the same on both engines.
ALTER TABLE wishes ADD COLUMN paper_photo_note TEXT;
UPDATE wishes SET paper_photo_note = paper_photo, paper_photo = NULL
 WHERE paper_photo IS NOT NULL
   AND NOT (length(paper_photo) = 71 AND substr(paper_photo, 1, 7) = 'sha256:'
            AND ltrim(substr(paper_photo, 8), '0123456789abcdef') = '');
