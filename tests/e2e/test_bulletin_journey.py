"""A resident downloads a published ballot's bulletin on their phone and checks it with the verifier.

The ballot: a sealed secret art. 278 ballot of one building, published (tests/verifier/world.py).
The resident opens the results page at 360 px, finds "下载公告数据 (JSON)" under the result, downloads
the file, and runs ``python -m verifier`` on it with their receipt, as the user guide says.
Screenshots in test-artifacts/screenshots/<test name>/.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Ballot, Participation
from tests.verifier.world import published, run_verifier

pytestmark = pytest.mark.browser_context_args(locale="zh-CN", viewport={"width": 360, "height": 740})


def test_a_resident_downloads_the_bulletin_and_the_verifier_finds_their_receipt(
        page: Page, login_as, shot, tmp_path, browser_console_errors):
    ballot, reps = published(Ballot.Secrecy.SECRET)
    voter = reps[0]
    receipt = Participation.objects.get(ballot=ballot, user=voter).receipt
    login_as(voter)

    page.goto(f"/ballots/{ballot.pk}/results/")
    download_link = page.get_by_role("link", name="下载公告数据 (JSON)")
    expect(download_link).to_be_visible()
    box = download_link.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360
    download_link.scroll_into_view_if_needed()
    shot(page, "results-with-the-bulletin-link")

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"ballot-{ballot.pk}-bulletin.json"
    bulletin = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert bulletin["ballot"]["id"] == ballot.pk

    run = run_verifier(bulletin, tmp_path, "--receipt", receipt)
    assert run.returncode == 0, run.stdout
    assert f"✓ 回执 {receipt} 已计入" in run.stdout
    assert run.stdout.rstrip().endswith("结论：以上各项全部成立。")
    assert browser_console_errors == []
