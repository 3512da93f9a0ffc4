"""The three imports a coordinator uploads a file for, split by job: reading a file into tables
(files), matching header cells to columns (columns), item codes (codes), one record a row
(records), the measures table (measures_table reads it into drafts, measure_cells reads its cells,
measures checks and saves them), the ITA result (scores) and an item list (items)."""
