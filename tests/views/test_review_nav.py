"""The review queue in the site navigation: shown to whoever reviews (reviewer, coordinator,
sysadmin), the steps waiting for them counted on the header's 工作台 badge; hidden from
compilers and visitors."""
from __future__ import annotations

import re

import pytest

from .. import lifecycle as L

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")

LINK = re.compile(r'<a href="/govshare/review" class="govshare-review-link">')
BADGE = re.compile(r'govshare-workbench-count">(\d+)</span>')


@pytest.fixture
def world(fresh):
    return fresh(L.review_world)


def _nav_html(app, user=None, url="/dataset/"):
    if user is not None:
        app.set_session_user(user["id"])
    body = app.get(url, status=200).body
    return body[body.index('id="main-navigation-toggle"'):body.index("</header>")]


def _nav(app, user=None, url="/dataset/"):
    nav = _nav_html(app, user, url)
    badge = BADGE.search(app.get(url, status=200).body)
    return bool(LINK.search(nav)), int(badge.group(1)) if badge else None


class TestReviewNavigation:
    def test_reviewer_sees_the_link_and_the_count(self, app, world):
        """A reviewer has the link, labelled, with the two entries waiting."""
        assert _nav(app, world.reviewer) == (True, 2)
        body = app.get("/", status=200).body
        assert "Review queue" in body

    def test_compiler_does_not_see_it(self, app, world):
        """A compiler (who submitted both entries) has no link."""
        assert _nav(app, world.compiler) == (False, None)

    def test_anonymous_does_not_see_it(self, app, world):
        """A visitor has no link."""
        assert _nav(app) == (False, None)

    def test_coordinator_and_sysadmin_see_it_without_a_count(self, app, world):
        """Nothing waits for them at the first stage: the link without a badge."""
        assert _nav(app, world.coordinator) == (True, None)
        assert _nav(app, world.sysadmin) == (True, None)

    def test_active_on_the_queue(self, app, world):
        """On the queue page the link is the active tab and the count follows decisions."""
        app.set_session_user(world.reviewer["id"])
        L.act("govshare_catalogue_approve", world.reviewer, id=world.first["id"])
        body = app.get("/govshare/review", status=200).body
        assert re.search(r'<li class="active">\s*<a href="/govshare/review" '
                         r'class="govshare-review-link">', body)
        assert _nav(app, url="/govshare/review") == (True, 1)

    @pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
    def test_chinese_page(self, app, world):
        """On a page in Chinese the link is there, its label translated."""
        nav = _nav_html(app, world.reviewer)
        assert LINK.search(nav) and "Review queue" not in nav
