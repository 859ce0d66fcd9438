"""CSV import of CRM records (deals, contacts, activities) from files made by Excel.

Pure modules, no database: the encoding is detected (UTF-8 with or without BOM, else Shift_JIS/CP932), the
header is matched to our fields in Japanese or English (the user confirms the mapping), and each row is
parsed into canonical values or refused with its line number and reason. The file is streamed, never read
into memory at once; importing the rows (all or nothing) is the sync engine's job.
"""
