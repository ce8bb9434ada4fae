"""Spreadsheet round trip: a bureau's list as an .xlsx workbook, and the filled workbook back as YAML.

`write_template` (export) writes a workbook for one agency: a sheet per record kind, Chinese
headers, a notes row, drop-down lists for closed choices, pre-filled with the records of the
registry folder that holds the agency. `import_workbook` (importer) turns the filled workbook
back into that folder's YAML, validated against the whole registry; every problem names its
sheet and cell (locate), and nothing is written while there are errors.

The layout of the workbook comes from the models (sheets, named by labels); cell values are
encoded (codec) so that export followed by import gives back the same records; text is always
stored as text, so `=...` never becomes a formula.
"""

from .codec import OMIT, decode, encode
from .export import write_template
from .folders import SHARED_FOLDERS, agency_folder
from .importer import import_workbook
from .results import CellProblem, ImportResult, SpreadsheetError
from .sheets import Column, Layout, Sheet, layout
from .yaml_dump import SCHEMA_LINE, yaml_text

__all__ = [
    "OMIT",
    "SCHEMA_LINE",
    "SHARED_FOLDERS",
    "CellProblem",
    "Column",
    "ImportResult",
    "Layout",
    "Sheet",
    "SpreadsheetError",
    "agency_folder",
    "decode",
    "encode",
    "import_workbook",
    "layout",
    "write_template",
    "yaml_text",
]
