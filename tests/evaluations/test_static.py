"""The dashboard's Chart.js is version 4 from npm (make vendor), served from our static files only."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

CHART = "vendor/chartjs4/chart.umd.js"


def test_the_page_uses_chart_js_4_and_no_finder_serves_django_chartjs_2_9_3():
    assert "chartjs" not in settings.INSTALLED_APPS  # its static/js/Chart.min.js (2.9.3) is never collected
    assert finders.find("js/Chart.min.js") is None
    found = finders.find(CHART)
    assert found, "static/vendor/chartjs4/chart.umd.js is missing: run `make vendor` (npm ci)"
    head = Path(found).read_text(encoding="utf-8")[:400]
    assert "Chart.js v4." in head
    template = (settings.BASE_DIR / "templates/evaluations/street_dashboard.html").read_text(encoding="utf-8")
    assert f"{{% static '{CHART}' %}}" in template and "cdn" not in template.lower()


def test_package_lock_pins_chart_js_4():
    import json

    lock = json.loads((settings.BASE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/chart.js"]["version"].startswith("4.")
