-- The LaTeX papers the library knows: those bibshelf check was run on (and, later, the ones
-- opened in the window). A key renamed in the library is renamed in their .tex files too, and
-- the window lists them in the sidebar. path is the file or folder as checked, absolute.
CREATE TABLE papers (
	id      INTEGER PRIMARY KEY,
	path    TEXT NOT NULL UNIQUE,
	added   INTEGER NOT NULL, -- Unix milliseconds
	checked INTEGER NOT NULL  -- when it was last checked, Unix milliseconds
);
