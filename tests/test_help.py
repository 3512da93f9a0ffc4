"""The Thai help pages: each opens for every role, and the pages they explain link to them."""
import re

import pytest

from tests.conftest import login
from tests.test_dashboard import html_of
from tracker.web.guide import PAGES


@pytest.mark.parametrize("email", ["coordinator@pichai.example", "executive@pichai.example", "finance@pichai.example"])
def test_every_help_page_opens_for_every_role_and_links_to_the_others(app, demo, email):
    client = login(app.test_client(), email)
    index = html_of(client, "/help/")
    for page, title in PAGES.items():
        assert f'href="/help/{page}"' in index
        html = html_of(client, f"/help/{page}")
        assert f"<h1>{title}</h1>" in html
        others = html.split("หัวข้ออื่น:", 1)[1]
        assert set(re.findall(r'href="/help/(\w+)"', others)) == set(PAGES) - {page}


def test_an_unknown_help_page_is_not_found_and_help_needs_a_login(app, coordinator_client):
    assert coordinator_client.get("/help/nothing").status_code == 404
    assert app.test_client().get("/help/ita").status_code == 302


@pytest.mark.parametrize("url, page", [
    ("/dashboard", "calendar"), ("/reports/", "documents"), ("/approvals/", "approval"),
    ("/notify/settings", "reminders"), ("/plan/analysis", "ita"), ("/reports/readiness", "documents"),
])
def test_the_pages_link_to_the_help_that_explains_them(coordinator_client, url, page):
    html = html_of(coordinator_client, url)
    assert f'<a href="/help/{page}">คู่มือ: {PAGES[page]}</a>' in html


def test_the_years_document_codes_in_the_help_match_the_shipped_item_lists(coordinator_client):
    from tracker.services import item_banks
    html = html_of(coordinator_client, "/help/documents")
    for year in (2567, 2569):
        bank = item_banks.shipped_bank(year)
        assert f"{bank['measures']['code']} และ {bank['results']['code']} ใน ITA {year}" in html
    assert item_banks.shipped_bank(2568)["measures"].get("code") in (None, "")
