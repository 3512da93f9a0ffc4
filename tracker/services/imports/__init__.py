"""The three imports a coordinator uploads a file for, split by job: reading a file into tables
(files), matching header cells to columns (columns), item codes (codes), one record a row
(records), the measures table (measures_table, measures), the ITA result (scores) and an item list
(items)."""
