-- A tamper-evident audit trail (issue 17).  Entries are written as before;
-- a background job (audit.c, in every instance) then seals them in the
-- order it finds them: each sealed entry gets the next seq and a hash, keyed
-- with the server key, over its own fields and the previous entry's hash.
-- `confero audit verify` walks the chain and names the first entry that no
-- longer matches (changed), a seq that is missing (deleted), or a head that
-- is ahead of the entries (cut off at the end).  Sealing by seq rather than
-- by id: an entry whose transaction commits late gets a later seq instead
-- of breaking the order.  event_id and registration_id let organisers see
-- their event's trail and a person's entries; no foreign keys, the trail
-- outlives what it describes.
ALTER TABLE audit_log
  ADD COLUMN event_id        BIGINT UNSIGNED NULL,
  ADD COLUMN registration_id BIGINT UNSIGNED NULL,
  ADD COLUMN seq             BIGINT UNSIGNED NULL,
  ADD COLUMN hash            BINARY(32) NULL,
  ADD UNIQUE KEY uq_audit_seq (seq),
  ADD KEY ix_audit_event (event_id, id),
  ADD KEY ix_audit_registration (registration_id, id);

CREATE TABLE audit_head (
  id   TINYINT UNSIGNED NOT NULL,
  seq  BIGINT UNSIGNED NOT NULL,
  hash BINARY(32) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, UNHEX(REPEAT('00', 32)));

-- What the entries already written are about.
UPDATE audit_log SET event_id = object_id WHERE object_type = 'event';
UPDATE audit_log a JOIN registrations r ON r.id = a.object_id
  SET a.event_id = r.event_id, a.registration_id = r.id
  WHERE a.object_type = 'registration';
