"""Spreadsheet exports that a spreadsheet cannot run: every CSV/XLSX export of the admin goes
through SafeExportMixin, which neutralises text a spreadsheet would read as a formula."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wagtail.admin.views.mixins import SpreadsheetExportMixin as _ExportBase
else:
    _ExportBase = object

# OWASP's CSV injection list: Excel, LibreOffice and Google Sheets start a formula (or a DDE call)
# at any of these; tab and carriage return can hide one behind what looks like an empty cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that would start a formula, with a leading apostrophe; anything else as it came.

    Only strings are touched: a negative number written as a number is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportMixin(_ExportBase):
    """Put before Wagtail's ReportView or IndexView (SpreadsheetExportMixin) in the bases.

    Wagtail escapes nothing in CSV, and in XLSX only stores a leading "=" as text: "+1+1" or
    "@SUM(A1)" still run once someone edits the cell or re-saves the file as CSV. The value is
    neutralised after Wagtail's own preprocessing, so a list joined into text is caught too.
    """

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))
