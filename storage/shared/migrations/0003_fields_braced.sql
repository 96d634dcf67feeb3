-- An entry's fields column is the library's, as the writing release stores it (storage/fields.go).
-- From library schema version 16 on, a field of the full form whose raw text is its value in
-- braces (every field of an entry read from RIS or CSL-JSON) leaves "raw" out. A release before
-- this schema version would read such a field as one with empty raw text: it refuses a shared
-- library at this version (ErrNewerSchema), as it refuses a library file of version 16.
COMMENT ON COLUMN entries.fields IS 'the library''s fields column (storage/fields.go, schema version 16 on: a braced value without raw)';
