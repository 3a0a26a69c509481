from wagtail.contrib.forms.views import SubmissionsListView

# A spreadsheet runs a cell that starts like a formula: such answers are exported as
# text, behind an apostrophe (OWASP's advice against CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SafeSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions listing and CSV/XLSX export, with formulas neutralised."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return f"'{value}"
        return value
