"""Authorization pages: the lists of each side, an authorization's page (terms, agreement and its
acceptance, the provider's forms, timeline, access log), the agreement's download with its
checksum (refused once tampered), and who is refused."""
from __future__ import annotations

import hashlib
import re

import ckan.model as model
import pytest

from ckanext.govshare.model.sharing import Authorization

from .. import authorizations as A

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


def build():
    """The logic tests' world, with an active grant of the G2 entry and a G3 one awaiting its
    agreement, both to ``requester``."""
    w = A.build()
    w.active = A.grant(w, w.entry)
    w.pending = A.grant(w, w.graded)
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _page(app, user, auth, status=200):
    app.set_session_user(user["id"] if user else None)
    return app.get(f"/govshare/authorization/{auth['id']}", status=status).body


def _post(app, user, auth, step, **data):
    page = _page(app, user, auth)
    return app.post(f"/govshare/authorization/{auth['id']}/step/{step}",
                    data={**data, "_csrf_token": _token(page)}, follow_redirects=False)


class TestLists:
    def test_consumer_side(self, app, world):
        """The requester's list shows both grants with status, validity and days left."""
        app.set_session_user(world.requester["id"])
        body = app.get("/govshare/authorizations", status=200).body
        assert world.active["number"] in body and world.pending["number"] in body
        assert world.entry["title"] in body and world.org["title"] in body
        assert "days left" in body and "govshare-authorization-active" in body

    def test_provider_side(self, app, world):
        """The provider's reviewer lists them on the provider tab, not on the consumer tab."""
        app.set_session_user(world.reviewer["id"])
        body = app.get("/govshare/authorizations", query_string={"side": "provider"},
                       status=200).body
        assert world.active["number"] in body and world.other["title"] in body
        body = app.get("/govshare/authorizations", query_string={"side": "consumer"},
                       status=200).body
        assert world.active["number"] not in body
        body = app.get("/govshare/authorizations",
                       query_string={"side": "provider", "status": "pending_agreement"}).body
        assert world.pending["number"] in body and world.active["number"] not in body

    @pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
    def test_in_chinese(self, app, world):
        """In zh_Hans_CN the tabs and the statuses are Chinese."""
        app.set_session_user(world.requester["id"])
        body = app.get("/govshare/authorizations", status=200).body
        assert "我部门获得的授权" in body and "我部门提供的授权" in body
        assert "有效" in body and "待签署安全协议" in body

    def test_anonymous_refused(self, app, world):
        """No list without logging in."""
        app.get("/govshare/authorizations", status=403)


class TestPage:
    def test_consumer_accepts_and_provider_completes(self, app, world):
        """The requester gets the consumer's accept button; then the security officer the
        provider's, and accepting makes the grant active."""
        body = _page(app, world.requester, world.pending)
        assert world.graded["title"] in body and "govshare-agreement-text" in body
        assert body.count('name="side"') == 1 and 'value="consumer"' in body
        assert "govshare-authorization-form" not in body  # no provider forms
        _post(app, world.requester, world.pending, "accept", side="consumer")
        body = _page(app, world.security_officer, world.pending)
        assert 'value="provider"' in body and 'value="consumer"' not in body
        _post(app, world.security_officer, world.pending, "accept", side="provider")
        assert A.show(world.pending["id"])["status"] == "active"

    def test_provider_suspends_with_a_reason(self, app, world):
        """The provider's forms ask for a reason; without one nothing changes."""
        body = _page(app, world.reviewer, world.active)
        for step in ("suspend", "revoke"):
            assert f'action="/govshare/authorization/{world.active["id"]}/step/{step}"' in body
        _post(app, world.reviewer, world.active, "suspend", reason="")
        assert A.show(world.active["id"])["status"] == "active"
        res = _post(app, world.reviewer, world.active, "suspend", reason="安全检查")
        assert res.status_code == 302
        shown = A.show(world.active["id"])
        assert shown["status"] == "suspended" and shown["status_reason"] == "安全检查"
        body = _page(app, world.reviewer, world.active)
        assert "安全检查" in body and "step/resume" in body

    def test_consumer_may_renew(self, app, world):
        """The consuming side gets the renewal form; the provider does not."""
        assert "govshare-authorization-renew" in _page(app, world.requester, world.active)
        assert "govshare-authorization-renew" not in _page(app, world.reviewer, world.active)

    def test_outsiders_refused(self, app, world):
        """A third department's reviewer and anonymous visitors get 403; unknown ids 404."""
        _page(app, world.third, world.active, status=403)
        _page(app, None, world.active, status=403)
        app.set_session_user(world.reviewer["id"])
        app.get("/govshare/authorization/SQZ-1999-000000", status=404)


class TestDownload:
    def test_download_prints_the_checksum(self, app, world):
        """The agreement downloads as UTF-8 text whose first part hashes to the checksum."""
        app.set_session_user(world.requester["id"])
        res = app.get(f"/govshare/authorization/{world.pending['id']}/agreement", status=200)
        assert res.headers["Content-Type"].startswith("text/plain")
        assert "attachment" in res.headers["Content-Disposition"]
        body = res.body
        checksum = A.show(world.pending["id"])["agreement"]["checksum"]
        assert f"校验码（SHA256）：{checksum}" in body
        text = body.split("\n" + "-" * 60 + "\n")[0]
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == checksum

    def test_tampered_agreement_is_not_downloaded(self, app, world):
        """Once the stored text changed, the download is refused (400) and the page warns."""
        row = model.Session.get(Authorization, world.pending["id"])
        row.agreement = {**row.agreement, "text": row.agreement["text"] + "补充条款"}
        model.repo.commit()
        app.set_session_user(world.requester["id"])
        app.get(f"/govshare/authorization/{world.pending['id']}/agreement", status=400)
        assert "govshare-agreement-broken" in _page(app, world.requester, world.pending)

    def test_no_agreement_no_download(self, app, world):
        """A grant without an agreement has nothing to download (404); outsiders 403."""
        app.set_session_user(world.requester["id"])
        app.get(f"/govshare/authorization/{world.active['id']}/agreement", status=404)
        app.set_session_user(world.third["id"])
        app.get(f"/govshare/authorization/{world.pending['id']}/agreement", status=403)

