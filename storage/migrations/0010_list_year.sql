-- The entries table's year column, which the list shows and sorts by and the year: search
-- matches, holds the entry's four-digit year as bib.Year reads it (c. 2019 is 2019), or the year
-- field as LaTeX shows it when it has none (in press). Before this version it held the year
-- field as written, so year:2019 missed c. 2019, which citation keys and duplicate detection
-- read as 2019. The rows to change are rewritten in Go after this migration (Library.update,
-- fillListYears): SQL cannot read a year as LaTeX shows it.
SELECT 1;
