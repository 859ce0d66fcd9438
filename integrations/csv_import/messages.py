"""What the CSV import says: every code of ``integrations.csv_import``, mapped to its gettext text.

English is the source; the Japanese is in ``integrations/locale/ja/LC_MESSAGES/django.po``. A row's
problem names its line (the file's physical line, as a spreadsheet shows it) and column.
"""

from django.utils.translation import gettext_lazy as _

from core.messages import messages_register

CSV = {
    "integrations.csv.empty": _("The file is empty: the first line must name the columns."),
    "integrations.csv.too_many_columns": _("The file has too many columns (at most 200)."),
    "integrations.csv.malformed": _(
        "Line %(line)s: the CSV is broken here (an unclosed quote or a NUL byte)."
    ),
    "integrations.csv.undecodable": _(
        "Line %(line)s: the text is neither UTF-8 nor Shift_JIS. Save the file as CSV (UTF-8) and try again."
    ),
    "integrations.csv.header_duplicate": _("Two columns are named “%(column)s”; rename one of them."),
    "integrations.csv.field_unknown": _("“%(field)s” is not a field that can be imported."),
    "integrations.csv.column_missing": _("The file has no column “%(column)s”."),
    "integrations.csv.required_unmapped": _("Choose a column for every required field: %(fields)s."),
    "integrations.csv.row_too_long": _(
        "Line %(line)s: %(found)s cells where the header has %(expected)s columns."
    ),
    "integrations.csv.required_empty": _("Line %(line)s, %(column)s: this value is required."),
    "integrations.csv.id_repeated": _(
        "Line %(line)s: the record id %(value)s is already on line %(first_line)s."
    ),
    "integrations.csv.text_too_long": _(
        "Line %(line)s, %(column)s: the text is too long (at most 255 characters)."
    ),
    "integrations.csv.value_too_long": _(
        "Line %(line)s, %(column)s: the text is too long for this field (at most %(limit)s characters)."
    ),
    "integrations.csv.email_invalid": _("Line %(line)s, %(column)s: “%(value)s” is not an e-mail address."),
    "integrations.csv.date_invalid": _(
        "Line %(line)s, %(column)s: “%(value)s” is not a date (write it as 2026/05/07 or 2026-05-07)."
    ),
    "integrations.csv.datetime_invalid": _(
        "Line %(line)s, %(column)s: “%(value)s” is not a date and time (write it as 2026/05/07 16:30)."
    ),
    "integrations.csv.amount_invalid": _(
        "Line %(line)s, %(column)s: “%(value)s” is not an amount in yen (write it as 1200000 or ¥1,200,000)."
    ),
    "integrations.csv.amount_negative": _(
        "Line %(line)s, %(column)s: an amount cannot be negative (%(value)s)."
    ),
    "integrations.csv.amount_fraction": _("Line %(line)s, %(column)s: yen have no decimals (%(value)s)."),
    "integrations.csv.outcome_invalid": _(
        "Line %(line)s, %(column)s: “%(value)s” is not an outcome (won, lost or open)."
    ),
    "integrations.csv.activity_type_invalid": _(
        "Line %(line)s, %(column)s: “%(value)s” is not an activity type (call, e-mail, meeting or task)."
    ),
}

# The import's refusals of a request (not of a row).
IMPORT = {
    "integrations.csv.not_csv_connection": _(
        "Files are imported into a CSV connection only; this connection syncs from %(provider)s."
    ),
    "integrations.csv.too_large": _(
        "The file is larger than %(limit_mb)s MB. Split it into smaller files and import each."
    ),
    "integrations.csv.columns_invalid": _(
        "The column mapping must be a JSON object of field names to column headers."
    ),
    "integrations.csv.import_refused": _(
        "Nothing was imported: the file has %(problems)s problems. Correct them and upload the file again."
    ),
}

messages_register({**CSV, **IMPORT})
