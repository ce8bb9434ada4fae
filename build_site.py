#!/usr/bin/env python3
"""Build everything under dist/ from registry/: `python build_site.py [--site-url URL]`.

The same as `qingdan build`; kept at the top level so the site can be built without
installing the command.
"""

from qingdan.cli import build

if __name__ == "__main__":
    build()
