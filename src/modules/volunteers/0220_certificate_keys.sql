-- Security issue #11, M5: the serial of a certificate is sequential, so the public check needs a
-- secret too. Each certificate gets a random key (verify_token) that its QR code and printed link
-- carry; the server makes 128 bits with libsodium for every new certificate (certs.c). The
-- certificates issued before this migration get theirs from the database's own strong random
-- source (the .sqlite.sql / .postgresql.sql parts): their paper copies, printed without a key,
-- check as valid or invalid only, and show the details again once reprinted.
ALTER TABLE vol_certificates ADD COLUMN verify_token TEXT;
