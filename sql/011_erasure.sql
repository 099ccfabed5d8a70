-- Erasure asked for through the manage link (issue 17): the confirmation
-- mail's link carries a token made from this nonce with the server key
-- (never stored); it is good for a day, and a new request replaces it.
ALTER TABLE registrations
  ADD COLUMN erase_nonce BINARY(16) NULL,
  ADD COLUMN erase_requested_at DATETIME NULL;
