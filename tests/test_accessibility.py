"""Accessibility: axe-core (carried by axe-playwright-python, so no network) on the site's main kinds of page.

Each page is checked at the phone and the desktop viewport, on the real registry's site; no
violation of serious or critical impact is allowed.
"""

from __future__ import annotations

import pytest

from qingdan.matters import match_matters, shared_matters
from qingdan.urls import matter_path, page_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCKING = {"serious", "critical"}


def _pages(registry) -> dict[str, str]:
    guide = registry.of("power")[0]
    agency = registry.of("agency")[0]
    boundary = registry.of("boundary")[0]
    return {
        "home": "",
        "guide": page_url("power", guide.id),
        "agency": page_url("agency", agency.id),
        "boundary": page_url("boundary", boundary.id),
        "who": "who/",
        "quality": "quality/",
        "graph": "graph/",
        "matter": matter_path(shared_matters(match_matters(registry))[0].id),
    }


PAGES = ("home", "guide", "agency", "boundary", "who", "quality", "graph", "matter")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


# both layouts (the phone's drawer navigation, the desktop's sidebars) and both colour schemes
LOOKS = [("phone", "light"), ("desktop", "light"), ("phone", "dark")]
SCHEMES = {"light": "default", "dark": "slate"}  # Material's name of the scheme shown


@pytest.mark.parametrize(("viewport", "color_scheme"), LOOKS, ids=["-".join(look) for look in LOOKS])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(seed_site, new_page, name, viewport, color_scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(viewport, color_scheme)
    page.goto(seed_site.url + _pages(seed_site.registry)[name])
    assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[color_scheme]
    results = Axe().run(page).response
    assert results["testEngine"]["name"] == "axe-core"
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    if blocking:
        pytest.fail(f"{name} page ({viewport}, {color_scheme}):\n{describe(blocking)}", pytrace=False)
