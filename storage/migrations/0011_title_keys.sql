-- Duplicate detection's title_key column folds the title and the first author with bib.Fold,
-- the folding citation keys use, since this version. Before it, ligatures (ﬁ), super- and
-- subscripts, full-width forms and some Latin letters (ħ, ŋ, ĳ) folded otherwise, so an entry
-- written before did not match a new import of the same paper. Only titles or first authors
-- with non-ASCII letters can change; their keys are rewritten in Go after this migration
-- in the same transaction (migrationSteps, refoldTitleKeys).
SELECT 1;
