"""Possible duplicate sources (DB14 §8.1 一数一源) in the portal: the panel of an entry or
revision in review for those who decide it, and the department's report page; what the
viewing user may not see is never listed."""
from __future__ import annotations

import re
from typing import Any

import pytest

from .. import lifecycle as L

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def _items(org: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """The template's 信息项 under names of their own (no overlap with another prefix)."""
    return [dict(i, name=f"{prefix}{i['name']}", name_en=f"{prefix}_{i['name_en']}")
            for i in L.entry_dict(org)["info_items"]]


def _entry(org, user, title: str, prefix: str, **fields) -> dict[str, Any]:
    return L.entry(org, user, title=title, info_items=_items(org, prefix), **fields)


def _publish(w, entry, compiler=None, reviewer=None) -> None:
    L.act("govshare_catalogue_submit", compiler or w.compiler, id=entry["id"])
    L.act("govshare_catalogue_approve", reviewer or w.reviewer, id=entry["id"])


def _page(app, user, url: str, status: int = 200) -> str:
    app.set_session_user(user["id"] if user else None)
    return app.get(url, status=status).body


def _panel(body: str) -> str:
    """The possible-duplicates panel of a page ('' when absent)."""
    match = re.search(r'<section class="govshare-duplicates.*?</section>', body, re.S)
    return match.group(0) if match else ""


def _lifecycle(pkg) -> str:
    return f"/dataset/{pkg['name']}/lifecycle"


def test_reviewer_sees_duplicates_of_entry_in_review(app, world):
    """The reviewer of an entry in review sees each candidate linked, with its department,
    resource code and why (same title; 信息项 overlap as a percentage); the submitter, who
    does not decide, does not."""
    w = world
    mine = _entry(w.org, w.compiler, "企业登记信息", "甲")
    same_title = _entry(w.org, w.compiler, "企业 登记数据", "乙")
    same_items = _entry(w.org, w.compiler, "市场主体名录", "甲")
    L.act("govshare_catalogue_submit", w.compiler, id=mine["id"])
    panel = _panel(_page(app, w.reviewer, _lifecycle(mine)))
    assert "Possible duplicates" in panel
    rows = re.findall(r'<tr class="govshare-duplicate">.*?</tr>', panel, re.S)
    assert len(rows) == 2
    assert f'/dataset/{same_title["name"]}"' in rows[0] and "Same title" in rows[0]
    assert same_title["resource_code"] in rows[0] and w.org["title"] in rows[0]
    assert f'/dataset/{same_items["name"]}"' in rows[1]
    assert "Data elements overlap 100%" in rows[1] and "Same title" not in rows[1]
    assert _panel(_page(app, w.compiler, _lifecycle(mine))) == ""


def test_panel_only_while_in_review(app, world):
    """A draft shows no panel, even to a reviewer, though it has a duplicate."""
    w = world
    mine = _entry(w.org, w.compiler, "企业登记信息", "甲")
    _entry(w.org, w.compiler, "企业登记数据", "乙")
    assert _panel(_page(app, w.reviewer, _lifecycle(mine))) == ""


def test_no_panel_without_duplicates(app, world):
    """An entry in review with nothing like it shows no panel."""
    w = world
    mine = _entry(w.org, w.compiler, "企业登记信息", "甲")
    _entry(w.org, w.compiler, "广告监测记录", "乙")
    L.act("govshare_catalogue_submit", w.compiler, id=mine["id"])
    body = _page(app, w.reviewer, _lifecycle(mine))
    assert "/lifecycle/approve" in body  # the reviewer may decide: the panel could show
    assert _panel(body) == "" and "govshare-duplicate" not in body


def test_other_departments_draft_not_shown(app, world):
    """Another department's draft is not visible to the reviewer, so it is not a candidate;
    once published it is."""
    w = world
    mine = _entry(w.org, w.compiler, "企业登记信息", "甲")
    theirs = _entry(w.other, w.other_compiler, "企业登记信息", "乙")
    L.act("govshare_catalogue_submit", w.compiler, id=mine["id"])
    body = _page(app, w.reviewer, _lifecycle(mine))
    assert _panel(body) == "" and theirs["name"] not in body
    _publish(w, theirs, w.other_compiler, w.other_reviewer)
    panel = _panel(_page(app, w.reviewer, _lifecycle(mine)))
    assert f'/dataset/{theirs["name"]}"' in panel and w.other["title"] in panel


def test_revision_in_review_shows_duplicates_of_proposal(app, world):
    """A revision in review is compared by its proposed title: the reviewer sees the entry
    the new title duplicates on the revision page."""
    w = world
    live = _entry(w.org, w.compiler, "企业登记信息", "甲")
    _publish(w, live)
    other = _entry(w.org, w.compiler, "广告监测信息", "乙")
    rev = L.act("govshare_revision_create", w.compiler, id=live["id"], title="广告监测数据")
    url = f"/govshare/revision/{rev['id']}"
    assert _panel(_page(app, w.reviewer, url)) == ""  # a draft revision: nothing to decide
    L.act("govshare_revision_submit", w.compiler, id=rev["id"])
    panel = _panel(_page(app, w.reviewer, url))
    assert f'/dataset/{other["name"]}"' in panel and "Same title" in panel
    assert f'/dataset/{live["name"]}"' not in panel  # not its own duplicate


# -- the department's report ---------------------------------------------------------------------


def _report(w) -> str:
    return f"/organization/{w.org['name']}/govshare/duplicates"


def _groups(body: str) -> dict[str, str]:
    """The report's groups by the name of their entry: the group's HTML."""
    out = {}
    for group in re.findall(r'<section class="govshare-duplicate-group.*?</section>', body, re.S):
        out[re.search(r'<h2[^>]*>\s*<a href="/dataset/([^"]+)"', group).group(1)] = group
    return out


def test_report_groups_pairs_per_entry(app, world):
    """Members see each entry of the department with its possible duplicates: its own
    entries (a pair of two of them under both) and other departments' published entries (not
    their drafts); the page is linked from the department page."""
    w = world
    a = _entry(w.org, w.compiler, "企业登记信息", "甲")
    b = _entry(w.org, w.compiler, "企业登记数据", "乙")
    published = _entry(w.other, w.other_compiler, "广告监测记录", "丙")
    _publish(w, published, w.other_compiler, w.other_reviewer)
    draft = _entry(w.other, w.other_compiler, "企业登记信息", "丁")
    c = _entry(w.org, w.compiler, "广告监测记录表", "戊")
    body = _page(app, w.member, _report(w))
    groups = _groups(body)
    assert set(groups) == {a["name"], b["name"], c["name"]}
    assert groups[a["name"]].count('<tr class="govshare-duplicate">') == 1
    assert f'/dataset/{b["name"]}"' in groups[a["name"]]
    assert f'/dataset/{a["name"]}"' in groups[b["name"]]
    assert f'/dataset/{published["name"]}"' in groups[c["name"]]
    assert w.other["title"] in groups[c["name"]] and w.org["title"] not in groups[a["name"]]
    assert draft["name"] not in body
    assert "Not a duplicate" not in body  # a plain member does not decide
    org_page = _page(app, w.member, f"/organization/{w.org['name']}")
    assert _report(w) in org_page


def test_report_empty(app, world):
    """Without pairs the page says so."""
    w = world
    _entry(w.org, w.compiler, "企业登记信息", "甲")
    body = _page(app, w.member, _report(w))
    assert "govshare-duplicates-none" in body and "govshare-duplicate-group" not in body


def test_report_is_paged(app, world, monkeypatch):
    """The groups are paged; the second page has the rest."""
    from ckanext.govshare.views import assessment as views

    monkeypatch.setattr(views, "DUPLICATE_GROUPS_PER_PAGE", 1)
    w = world
    a = _entry(w.org, w.compiler, "企业登记信息", "甲")
    b = _entry(w.org, w.compiler, "企业登记数据", "乙")
    first = _groups(_page(app, w.member, _report(w)))
    second = _groups(_page(app, w.member, _report(w) + "?page=2"))
    assert len(first) == len(second) == 1
    assert set(first) | set(second) == {a["name"], b["name"]}


def _post(app, user, url: str, **data) -> str:
    app.set_session_user(user["id"])
    page = app.get(_report_of(url), status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    return app.post(url, data={"_csrf_token": token, **data}, follow_redirects=True,
                    status=200).body


def _report_of(url: str) -> str:
    return url.rsplit("/", 1)[0]


def test_not_a_duplicate_is_remembered_until_an_entry_changes(app, world):
    """A reviewer marks a pair "not a duplicate": it leaves the report and is listed among the
    decisions; when one entry's 信息项 change the pair is reported again; taking the decision
    back reports it again too."""
    w = world
    a = _entry(w.org, w.compiler, "企业登记信息", "甲")
    b = _entry(w.org, w.compiler, "企业登记数据", "乙")
    body = _page(app, w.reviewer, _report(w))
    assert body.count("Not a duplicate") == 2  # the pair, under each of its entries
    body = _post(app, w.reviewer, _report(w) + "/dismiss", id=a["id"], duplicate_id=b["id"],
                 reason="一个是登记信息，一个是统计数据")
    assert "Marked as not a duplicate" in body
    assert _groups(body) == {}
    decided = body[body.index("govshare-duplicates-dismissed"):]
    assert a["name"] in decided and b["name"] in decided and "一个是登记信息" in decided
    assert L.act("govshare_duplicate_list", w.reviewer, id=a["id"])["count"] == 0
    # a change the comparison sees brings the pair back
    L.act("package_patch", w.compiler, id=b["id"], info_items=_items(w.org, "丙"))
    assert set(_groups(_page(app, w.reviewer, _report(w)))) == {a["name"], b["name"]}
    # decided again, then taken back
    _post(app, w.reviewer, _report(w) + "/dismiss", id=b["id"], duplicate_id=a["id"])
    body = _post(app, w.reviewer, _report(w) + "/undismiss", id=a["id"], duplicate_id=b["id"])
    assert "reported again" in body and set(_groups(body)) == {a["name"], b["name"]}


@pytest.mark.parametrize("who", ["outsider", "other_reviewer", None])
def test_report_refused_to_non_members(app, world, who):
    """Outsiders and other departments' members are refused; no link on the department page."""
    w = world
    user = getattr(w, who) if who else None
    _page(app, user, _report(w), status=403)
    if user:
        assert _report(w) not in _page(app, user, f"/organization/{w.org['name']}")
