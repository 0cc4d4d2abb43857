"""The CSP allows only the portal's own scripts and stylesheets (style-src/script-src 'self'):
an inline <style>, style="" or on…="" handler in a template is refused by the browser, so the page
silently loses its layout or its button. Seen on the performance dispatch and plan pages."""

import re
from pathlib import Path

from django.conf import settings

INLINE = re.compile(r"<style|<script>|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)


def test_no_template_has_inline_style_or_handler():
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_dispatch_print_button_works_under_the_csp(client, world):
    client.force_login(world.admin)
    page = client.get("/performance/dispatch/").content.decode()
    assert "data-print" in page and "onclick" not in page
    assert "bureau/portal.js" in page
