-- A saved search made while a collection, a tag or a flag was selected in the sidebar keeps
-- that selection as a storage.Filter, in JSON (the collection by its id), beside the query the
-- user typed. Before this version the sidebar's selection was written into the query as text
-- (in:"Name"), which named every collection of that name; such queries keep working as typed.
ALTER TABLE saved_searches ADD COLUMN filter TEXT NOT NULL DEFAULT '{}';
