"""Reports as functions from data to bytes: data.py builds one report's data with a few queries;
docx.py, pdf.py and xlsx.py each turn it into a file without touching the database."""
