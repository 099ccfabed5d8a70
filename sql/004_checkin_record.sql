-- A successful scan is recorded by its check-in row alone, in one
-- statement: the row already says who (user or token), where (gate,
-- point) and when, and now carries the client's nonce, so a retry of an
-- accepted scan is answered from it.  scan_log keeps every refused scan.
-- Each table's key makes a nonce unique per event within it; the server
-- looks in both before it writes, so only a client that reuses one nonce
-- for two different scans at the same instant can leave it in both.
ALTER TABLE checkins
  ADD COLUMN nonce VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER by_token,
  ADD UNIQUE KEY uq_checkins_nonce (event_id, nonce);

-- Accepted scans of the past were logged twice (check-in and scan_log row);
-- the check-in row is the record now.
DELETE FROM scan_log WHERE result = 'ok';
