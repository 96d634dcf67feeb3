-- From this version on, the fields column of an imported entry whose source alone parses to its
-- fields may hold the short form (see storage/entries.go): {"short":1,"fields":[{"name":...}]},
-- the field names and the values macros gave them, the rest parsed from the source when the
-- entry is read. Nothing in the schema changes; the version says that a release which does not
-- know the short form must not open the library (Open refuses a schema newer than its own).
SELECT 1;
