-- settings holds what this computer's user sets for the library, one row at most: the folder
-- the attached files' relative paths are resolved against (attachments_folder, absolute; NULL:
-- the default, beside the library file). It is a member's own in a shared library's replica,
-- never sent to the server: each member sets the shared drive or synced folder where the group's
-- files are on their computer.
CREATE TABLE settings (
	id                 INTEGER PRIMARY KEY CHECK (id = 1),
	attachments_folder TEXT
);
