-- 128 bits from sqlite3_randomness (ChaCha20, seeded from the operating system's random source).
UPDATE vol_certificates SET verify_token = lower(hex(randomblob(16))) WHERE verify_token IS NULL;
