-- The data controller of each event (issue 17): who organises it, how to
-- reach them and their data protection officer.  JSON with name, address,
-- email, website, dpo_email; NULL: none given (an event created without it
-- takes the instance's CONFERO_ORGANISER_* at that moment).
ALTER TABLE events
  ADD COLUMN organiser LONGTEXT NULL CHECK (organiser IS NULL OR JSON_VALID(organiser));
