"""A folder of bad workbooks (issue #11 §4): each known mistake is reported where it is — sheet,
row and column — and nothing of the file is stored."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest

from ... import lifecycle as L
from .cases import CASES

#: problems about the file or a whole row or sheet rather than one cell
NO_CELL = {"not_a_workbook", "no_entry_sheet", "hidden_row", "hidden_sheet", "no_entry",
           "missing_columns"}
NO_SHEET = {"not_a_workbook", "no_entry_sheet"}

pytestmark = [pytest.mark.ckan_config("ckanext.govshare.import.workers", "1"),
              pytest.mark.ckan_config("ckanext.govshare.import.background_rows", "1000")]


@pytest.fixture
def world(fresh):
    return fresh(L.world)


class _Upload:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def read(self, size: int = -1) -> bytes:
        return self.content


def _count() -> int:
    return model.Session.query(model.Package).count()


def test_there_are_at_least_thirty_kinds():
    """The folder holds at least 30 kinds of bad workbook."""
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_workbook(world, name):
    """Each bad workbook: its mistake reported, every problem located, nothing stored."""
    build, expected = CASES[name]
    content, kwargs = build(world)
    before = _count()
    org = kwargs.pop("organization_id", world.org["id"])
    user = getattr(world, kwargs.pop("user", "sysadmin" if org is None else "compiler"))
    data = {"upload": _Upload(content), **({"organization_id": org} if org else {})}
    result = L.act("govshare_catalogue_import_xlsx", user, **data)
    assert result["stored"] is False
    assert _count() == before
    problems = result["problems"]
    kinds = {(p["kind"], p["field"]) if p["kind"] == "rule" else p["kind"] for p in problems}
    assert expected in kinds, problems
    for p in problems:
        # a rule words its own message (it may quote the code template's {braces})
        assert p["message"] and (p["kind"] == "rule" or "{" not in p["message"]), p
        if p["kind"] in NO_SHEET:
            continue
        assert p["sheet"] and p["row"] >= 1, p
        if p["kind"] == "rule" and not p["column"]:
            # only a field whose column the sheet lacks has no cell (reported as missing)
            assert "missing_columns" in kinds, (p["field"], p["message"])
        elif p["kind"] not in NO_CELL:
            assert p["column"] and p["header"], (p["field"], p["kind"], p["message"])


def test_good_workbook_is_stored(world):
    """The unspoilt workbook the cases start from imports (two drafts)."""
    from ... import workbooks as W
    result = L.act("govshare_catalogue_import_xlsx", world.compiler,
                   upload=_Upload(W.template(W.good_entries(world.org))),
                   organization_id=world.org["id"])
    assert result["problems"] == [] and result["counts"]["created"] == 2
    assert result["stored"] is True


def test_not_allowed_for_another_departments_compiler(world):
    """A compiler of another department may not import into this one."""
    with pytest.raises(tk.NotAuthorized):
        L.act("govshare_catalogue_import_xlsx", world.other_compiler,
              upload=_Upload(b""), organization_id=world.org["id"])
