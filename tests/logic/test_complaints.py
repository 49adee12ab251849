"""Quality complaints (纠错) through the actions: filing about an entry or one of its 信息项,
the provider's answer (reviewer, or a compiler of the entry's unit), the complainant's rating
or reopening, withdrawal, who sees what, the lists, and the accepted corrections that count
in the assessment's 准确性."""
from __future__ import annotations

import datetime
from types import SimpleNamespace

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.model import base as model_base

from .. import factories as F

#: 市场监管行政处罚信息: conditional, G2, unit SAMR02
CONDITIONAL_G2 = (F.SAMR, 8)


def act(action: str, user: dict | None, **data):
    return helpers.call_action(action, F.as_user(user), **data)


def refused(action: str, user: dict | None, **data) -> bool:
    try:
        act(action, user, **data)
    except tk.NotAuthorized:
        return True
    return False


def world() -> SimpleNamespace:
    """SAMR's published entry ``entry`` (unit SAMR02) with its ``compiler``, a ``compiler2``
    of another unit and a ``reviewer``; ``complainant``, a member of GAT; ``outsider``."""
    samr, gat = F.department(F.SAMR), F.department(F.GAT)
    w = SimpleNamespace(samr=samr, gat=gat)
    w.compiler = F.user(samr, "compiler", units=["SAMR02"])
    w.compiler2 = F.user(samr, "compiler", units=["SAMR01"])
    w.reviewer = F.user(samr, "reviewer")
    w.complainant = F.user(gat, capacity="member")
    w.outsider = factories.User()
    w.entry = F.create_entry(w.compiler, CONDITIONAL_G2)
    act("govshare_catalogue_submit", w.compiler, id=w.entry["id"])
    w.entry = act("govshare_catalogue_approve", w.reviewer, id=w.entry["id"])
    w.draft = F.create_entry(w.compiler, CONDITIONAL_G2, seq=3, catalog_subitem="903",
                             title="草稿条目")
    return w


@pytest.fixture
def w(fresh):
    return fresh(world)


def complain(w, user=None, **extra) -> dict:
    data = {"entry_id": w.entry["id"], "type": "data_quality",
            "description": "处罚决定日期与文书不一致", "contact": "13800000000", **extra}
    return act("govshare_complaint_create", user or w.complainant, **data)


def answered(w, accepted=True, user=None) -> dict:
    made = complain(w)
    return act("govshare_complaint_answer", user or w.compiler, id=made["id"],
               reason="已核对文书并更正日期", correction_accepted=accepted)


def test_filing_waits_on_the_provider(w):
    """A complaint about a 信息项 waits on the entry's department, due after the reply limit;
    the entry's unit is on record for its compilers."""
    item = w.entry["info_items"][0]
    made = complain(w, item=item["name_en"], basis="处罚决定书")
    assert made["state"] == "submitted" and made["number"].startswith("JC-")
    assert made["data"]["item"] == item["name"] and made["data"]["unit"] == "SAMR02"
    assert (made["requester_org"], made["target_org"]) == (w.gat["id"], w.samr["id"])
    assert (made["assignee_org"], made["assignee_role"]) == (w.samr["id"], "reviewer")
    assert made["clock"] == "complaint_reply" and made["days_left"] == 5


def test_filing_is_refused(w):
    """Not about an unpublished entry, a 信息项 it does not have, an unknown type, without a
    description or a contact; not anonymously."""
    with pytest.raises(tk.ValidationError) as err:
        complain(w, user=w.compiler, entry_id=w.draft["id"])
    assert "entry_id" in err.value.error_dict
    with pytest.raises(tk.ObjectNotFound):
        complain(w, entry_id=w.draft["id"])  # another department's draft does not exist
    with pytest.raises(tk.ValidationError) as err:
        complain(w, item="不存在的信息项")
    assert "item" in err.value.error_dict
    with pytest.raises(tk.ValidationError) as err:
        complain(w, type="rumour", description=" ", contact="")
    assert {"type", "description", "contact"} <= set(err.value.error_dict)
    assert refused("govshare_complaint_create", None, entry_id=w.entry["id"],
                   type="other", description="x", contact="x")


@pytest.mark.parametrize("who,may", [("compiler", True), ("reviewer", True),
                                     ("compiler2", False), ("complainant", False),
                                     ("outsider", False)])
def test_who_answers(w, who, may):
    """The reviewer of the entry's department or a compiler of its unit answers."""
    made = complain(w)
    assert refused("govshare_complaint_answer", getattr(w, who), id=made["id"],
                   reason="已更正") is not may


def test_the_answer_records_the_correction(w):
    """The answer needs the correction; it may name a revision of the entry (only of this
    entry) and says whether the error is accepted; then it waits on the complainant."""
    made = complain(w)
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_complaint_answer", w.compiler, id=made["id"], reason="")
    assert "reason" in err.value.error_dict
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_complaint_answer", w.compiler, id=made["id"], reason="已更正",
            revision_id="no-such-revision")
    assert "revision_id" in err.value.error_dict
    rev = act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="更正处罚日期")
    done = act("govshare_complaint_answer", w.compiler, id=made["id"], reason="已更正",
               correction_accepted=True, revision_id=rev["id"])
    assert done["state"] == "answered" and done["due_at"] is None
    assert done["assignee_user"] == w.complainant["id"]
    assert done["data"]["answer"] == {"text": "已更正", "correction_accepted": True,
                                      "revision_id": rev["id"], "by": w.compiler["id"]}
    assert done["timeline"][-1]["data"]["party"] == "provider_compiler"


def test_the_complainant_rates_and_it_is_solved(w):
    """Rated 1–5 by the complainant only: solved and closed."""
    made = answered(w)
    assert refused("govshare_complaint_rate", w.reviewer, id=made["id"], rating=5)
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_complaint_rate", w.complainant, id=made["id"], rating=6)
    assert "rating" in err.value.error_dict
    done = act("govshare_complaint_rate", w.complainant, id=made["id"], rating=4,
               reason="更正及时")
    assert done["state"] == "solved" and done["closed_at"]
    assert (done["data"]["rating"], done["data"]["solved"]) == (4, True)


def test_the_complainant_reopens(w):
    """Reopened with a reason: back to the provider, with a new reply deadline."""
    made = answered(w, accepted=False)
    with pytest.raises(tk.ValidationError):
        act("govshare_complaint_reopen", w.complainant, id=made["id"], reason="")
    again = act("govshare_complaint_reopen", w.complainant, id=made["id"],
                reason="日期仍然错误", rating=1)
    assert again["state"] == "submitted" and again["days_left"] == 5
    assert again["assignee_role"] == "reviewer" and again["data"]["solved"] is False
    assert again["allowed_events"] == ["withdraw"]


def test_withdrawn_before_the_answer(w):
    """The complainant withdraws a complaint not yet answered; not once answered."""
    made = complain(w)
    assert refused("govshare_complaint_withdraw", w.reviewer, id=made["id"])
    assert act("govshare_complaint_withdraw", w.complainant, id=made["id"])["state"] == \
        "withdrawn"
    other = answered(w)
    with pytest.raises(tk.ValidationError):
        act("govshare_complaint_withdraw", w.complainant, id=other["id"])


def test_who_sees_a_complaint_and_the_lists(w):
    """The complainant and the provider's department see it, in their lists by side; an
    outsider does not."""
    made = complain(w)
    assert refused("govshare_complaint_show", w.outsider, id=made["id"])
    for user in (w.complainant, w.compiler2, w.reviewer):
        assert act("govshare_complaint_show", user, id=made["id"])["id"] == made["id"]
    assert [r["id"] for r in act("govshare_complaint_list", w.complainant,
                                 side="raised")["results"]] == [made["id"]]
    received = act("govshare_complaint_list", w.reviewer, side="received")["results"]
    assert [r["id"] for r in received] == [made["id"]] and received[0]["days_left"] == 5
    assert act("govshare_complaint_list", w.reviewer, side="waiting")["count"] == 1
    assert act("govshare_complaint_list", w.reviewer, state="solved")["count"] == 0
    assert act("govshare_complaint_list", w.outsider)["count"] == 0
    with pytest.raises(tk.ValidationError):
        act("govshare_complaint_list", w.reviewer, side="coordinating")


# -- the assessment's 准确性 ------------------------------------------------------------------------


def _accuracy(w, period=None):
    data = {"organization_id": w.samr["id"], **({"period": period} if period else {})}
    return act("govshare_assessment_show", w.reviewer, **data)["accuracy"]


def test_an_accepted_correction_counts_against_accuracy(w):
    """准确性: an entry with an accepted correction solved in the period is not accurate; a
    complaint not accepted, not yet rated, or solved in another period does not count."""
    before = _accuracy(w)  # the entry and the draft, both passing every rule
    assert (before["score"], before["entries"], before["corrected"]) == (1.0, 2, 0)
    rejected = answered(w, accepted=False)
    act("govshare_complaint_rate", w.complainant, id=rejected["id"], rating=2)
    pending = answered(w, accepted=True)
    assert _accuracy(w)["corrected"] == 0  # answered, not yet solved
    act("govshare_complaint_rate", w.complainant, id=pending["id"], rating=5)
    after = _accuracy(w)
    assert after == {"score": 0.5, "entries": 2, "passing": 2, "corrected": 1}
    last_year = str(model_base.now().year - 1)
    assert _accuracy(w, last_year)["corrected"] == 0


def test_a_correction_counts_in_the_period_it_was_solved(w, monkeypatch):
    """The correction counts in the month the complainant marked it solved."""
    made = answered(w)
    later = model_base.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(model_base, "now", lambda: later)
    act("govshare_complaint_rate", w.complainant, id=made["id"], rating=5)
    month = f"{later.year:04d}-{later.month:02d}"
    assert _accuracy(w, month)["corrected"] == 1
