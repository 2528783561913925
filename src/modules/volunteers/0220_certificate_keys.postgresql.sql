-- 122 random bits from pg_strong_random (gen_random_uuid is built in from PostgreSQL 13), as 32 hex digits.
UPDATE vol_certificates SET verify_token = replace(CAST(gen_random_uuid() AS TEXT), '-', '') WHERE verify_token IS NULL;
