-- `linli rekey` (core/rekey.h) re-seals every sealed value with a new key in one transaction. Its
-- marker row exists only inside that transaction: rekey inserts it first and deletes it before it
-- commits, so no other connection ever sees one. An append-only table that holds a sealed value
-- lets rekey change that value, and nothing else, while the marker is there.
CREATE TABLE rekey_marker (id BIGINT PRIMARY KEY);
