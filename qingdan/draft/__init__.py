"""`qingdan draft`: a bureau's own list or guide (docx, xlsx, html, pdf, text) as a draft registry folder."""

from .draft import DraftResult, draft
from .model import DraftError

__all__ = ["DraftError", "DraftResult", "draft"]
