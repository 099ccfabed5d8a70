-- Languages (issue "Every page, mail and document in the attendee's
-- language").  An event speaks `languages` (a JSON array, the first is its
-- default); what an organiser writes keeps its default-language text in
-- the existing columns and every language given in `tr`, a JSON object
-- {"<field>": {"<lang>": "text", …}, …}, so plain-text readers (search,
-- exports, the audit log) keep working and a translation missing for a
-- language falls back to the default.  A registration remembers the
-- language it was made in (its mails, badge and certificate follow it);
-- staff users may choose theirs (NULL: the browser's).
ALTER TABLE events
  ADD COLUMN languages VARCHAR(200) NOT NULL DEFAULT '["en"]' CHECK (JSON_VALID(languages)),
  ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE sessions ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE speakers ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE ticket_types ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE questions ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE mailings ADD COLUMN tr LONGTEXT NULL CHECK (tr IS NULL OR JSON_VALID(tr));
ALTER TABLE registrations ADD COLUMN language VARCHAR(15) NOT NULL DEFAULT 'en';
ALTER TABLE users ADD COLUMN language VARCHAR(15) NULL;
