"""The public site: service guides with rendered flowcharts, directories and reports.

`build_site(report, dist)` generates Markdown from the validated registry into a build
folder, runs MkDocs (Material theme) and replaces `dist/site/` atomically.
"""

from .build import SiteBuildError, build_site

__all__ = ["SiteBuildError", "build_site"]
