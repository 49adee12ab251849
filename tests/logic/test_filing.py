"""Filing (备案) of responsible persons: records, re-filing on change, history, export, auth."""
from __future__ import annotations

import base64
import csv
import datetime
import io

import ckan.model as model
import ckan.plugins.toolkit as tk
import openpyxl
import pytest
from ckan.tests import helpers

from ckanext.govshare.department import filing
from ckanext.govshare.model import Filing, FilingHistory

from .. import departments
from ..departments import as_user, outcome

PERSON = {
    "name": "张伟",
    "title": "副局长",
    "unit": "办公室",
    "phone": "0351-4567890",
    "email": "zhangwei@scjg.shanxi.gov.cn",
    "effective_date": "2026-01-05",
}


@pytest.fixture
def world(fresh):
    return fresh(departments.world)


def _create(world, org=None, kind="lead", **changes):
    data = {**PERSON, **changes}
    return helpers.call_action("govshare_filing_create", as_user(world.sysadmin),
                               organization_id=(org or world.org)["id"], kind=kind, **data)


def _update(record, **changes):
    data = {f: record[f] for f in filing.FILED_FIELDS}
    data.update(changes)
    return helpers.call_action("govshare_filing_update", id=record["id"], **data)


class TestVocabulary:
    @pytest.mark.parametrize("phone", [
        "13912345678", "+86 139 1234 5678", "0351-4567890", "(0351)4567890",
        "（０３５１）４５６７８９０", "0351-4567890-123", "010 12345678",
    ])
    def test_valid_phones(self, phone):
        """Mobile numbers and landlines with area code are accepted."""
        assert filing.valid_phone(phone)

    @pytest.mark.parametrize("phone", ["12345", "4567890", "0351-0567890", "2391234567", "电话"])
    def test_invalid_phones(self, phone):
        """Numbers without area code and junk are refused."""
        assert not filing.valid_phone(phone)

    def test_status_cycle(self):
        """Only a filed record goes to changed_to_be_refiled, and only when its content changed."""
        assert filing.status_after_update("filed", ["phone"]) == "changed_to_be_refiled"
        assert filing.status_after_update("filed", []) == "filed"
        assert filing.status_after_update("to_be_filed", ["phone"]) == "to_be_filed"
        assert filing.can_file("to_be_filed") and filing.can_file("changed_to_be_refiled")
        assert not filing.can_file("filed")


class TestCreate:
    def test_create_to_be_filed(self, world):
        """A new record is to be filed, version 1, with one history row."""
        record = _create(world)
        assert record["status"] == "to_be_filed"
        assert record["version"] == 1
        assert record["organization_id"] == world.org["id"]
        assert record["effective_date"] == "2026-01-05"
        assert record["phone"] == "0351-4567890"
        assert record["created_by"] == world.sysadmin["id"]
        (history,) = model.Session.query(FilingHistory).all()
        assert (history.event, history.version, history.name) == ("created", 1, "张伟")

    def test_phone_is_normalised(self, world):
        """Blanks and full-width characters are removed from phone numbers."""
        assert _create(world, phone="139 1234 5678")["phone"] == "13912345678"

    def test_one_record_per_kind(self, world):
        """A second record of the same kind is refused; other kinds and departments are fine."""
        _create(world)
        with pytest.raises(tk.ValidationError) as e:
            _create(world, name="李强")
        (message,) = e.value.error_dict["kind"]
        assert message.startswith("Kind (kind) ") and "update it instead" in message
        _create(world, kind="contact")
        _create(world, org=world.other)
        assert model.Session.query(Filing).count() == 3

    def test_invalid_fields_are_named(self, world):
        """Bad phone, email, date and kind are refused field by field, in one language (the
        default locale's, English here)."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action(
                "govshare_filing_create", organization_id=world.org["id"], kind="boss",
                **{**PERSON, "phone": "12345", "email": "not-an-email",
                   "effective_date": "2026-13-01"})
        errors = e.value.error_dict
        assert set(errors) == {"kind", "phone", "email", "effective_date"}
        assert errors["phone"][0].startswith("Phone (phone) '12345' is not valid")
        assert errors["email"][0].startswith("Email (email) ") and " / " not in errors["email"][0]
        assert "YYYY-MM-DD" in errors["effective_date"][0]
        assert "lead, share_manager, contact, security_officer" in errors["kind"][0]
        assert model.Session.query(Filing).count() == 0

    def test_required_fields(self, world):
        """Name, title, phone, email and effective date are required; the unit is optional."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_filing_create", organization_id=world.org["id"],
                                kind="lead", unit="")
        assert set(e.value.error_dict) == {"name", "title", "phone", "email", "effective_date"}
        assert e.value.error_dict["name"] == ["Name (name) is required"]

    def test_status_cannot_be_set(self, world):
        """The status changes only by filing."""
        with pytest.raises(tk.ValidationError) as e:
            _create(world, status="filed")
        assert "govshare_filing_file" in e.value.error_dict["status"][0]


class TestUpdateAndFile:
    def test_file_then_change_requires_refiling(self, world):
        """Filing sets filed; changing the filed person sets changed_to_be_refiled."""
        record = _create(world)
        filed = helpers.call_action("govshare_filing_file", as_user(world.admin),
                                    id=record["id"], receipt="晋数备〔2026〕12号")
        assert filed["status"] == "filed"
        assert filed["filed_by"] == world.admin["id"]
        assert filed["receipt"] == "晋数备〔2026〕12号"
        assert datetime.datetime.fromisoformat(filed["filed_at"]).tzinfo is not None

        changed = _update(filed, name="王芳", phone="13812345678")
        assert changed["status"] == "changed_to_be_refiled"
        assert changed["changed_fields"] == ["name", "phone"]
        assert changed["name"] == "王芳"

        again = helpers.call_action("govshare_filing_file", id=record["id"])
        assert again["status"] == "filed"
        assert again["receipt"] == "晋数备〔2026〕12号"  # kept until a new receipt is given

    def test_unchanged_update_keeps_filed(self, world):
        """Saving the same person again changes nothing."""
        record = helpers.call_action("govshare_filing_file", id=_create(world)["id"])
        same = _update(record)
        assert same["status"] == "filed"
        assert same["version"] == record["version"]
        assert same["changed_fields"] == []

    def test_effective_date_change_requires_refiling(self, world):
        """The effective date is part of the filed content."""
        record = helpers.call_action("govshare_filing_file", id=_create(world)["id"])
        assert _update(record, effective_date="2026-03-01")["status"] == "changed_to_be_refiled"

    def test_change_before_filing_stays_to_be_filed(self, world):
        """A record not yet filed stays to be filed."""
        assert _update(_create(world), title="局长")["status"] == "to_be_filed"

    def test_update_clears_an_omitted_unit(self, world):
        """Update replaces the person: an omitted optional unit is cleared."""
        record = _create(world)
        data = {f: record[f] for f in filing.FILED_FIELDS if f != "unit"}
        result = helpers.call_action("govshare_filing_update", id=record["id"], **data)
        assert result["unit"] is None

    def test_filing_twice_is_refused(self, world):
        """A filed record cannot be filed again until it changes."""
        record = _create(world)
        helpers.call_action("govshare_filing_file", id=record["id"])
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_filing_file", id=record["id"])
        (message,) = e.value.error_dict["status"]
        assert message.startswith("Status (status) is Filed") and "nothing to file" in message

    def test_history_keeps_every_version(self, world):
        """Every change is kept: created, filed, updated, filed again."""
        record = _create(world)
        helpers.call_action("govshare_filing_file", id=record["id"])
        _update(helpers.call_action("govshare_filing_show", id=record["id"]), name="王芳")
        helpers.call_action("govshare_filing_file", id=record["id"])
        shown = helpers.call_action("govshare_filing_show", organization_id=world.org["name"],
                                    kind="lead", include_history=True)
        assert [(h["version"], h["event"], h["name"], h["status"]) for h in shown["history"]] == [
            (1, "created", "张伟", "to_be_filed"),
            (2, "filed", "张伟", "filed"),
            (3, "updated", "王芳", "changed_to_be_refiled"),
            (4, "filed", "王芳", "filed"),
        ]
        assert "history" not in helpers.call_action("govshare_filing_show", id=record["id"])

    def test_unknown_record(self, world):
        """Unknown ids are not found."""
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("govshare_filing_show", id="nope")
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("govshare_filing_show", organization_id=world.org["id"],
                                kind="contact")

    def test_organization_and_kind_are_fixed(self, world):
        """Update ignores organization_id and kind."""
        record = _create(world)
        result = helpers.call_action("govshare_filing_update", id=record["id"], **PERSON,
                                     organization_id=world.other["id"], kind="contact")
        assert (result["organization_id"], result["kind"]) == (world.org["id"], "lead")


class TestListAndExport:
    def _fill(self, world):
        lead = _create(world, kind="lead")
        helpers.call_action("govshare_filing_file", id=lead["id"], receipt="R-001")
        _create(world, kind="contact", name="赵敏", phone="13700001111", unit="信息中心")
        _create(world, org=world.other, kind="security_officer", name="孙磊")

    def test_list_orders_by_kind_and_filters(self, world):
        """A department's records come in kind order; status filters."""
        self._fill(world)
        records = helpers.call_action("govshare_filing_list", as_user(world.member),
                                      organization_id=world.org["id"])
        assert [r["kind"] for r in records] == ["lead", "contact"]
        filed = helpers.call_action("govshare_filing_list", organization_id=world.org["id"],
                                    status="filed")
        assert [r["kind"] for r in filed] == ["lead"]
        assert len(helpers.call_action("govshare_filing_list", as_user(world.sysadmin))) == 3

    def test_export_csv(self, world):
        """CSV: a bilingual header and one Chinese row per record."""
        self._fill(world)
        payload = helpers.call_action("govshare_filing_export", as_user(world.admin),
                                      organization_id=world.org["id"], format="csv")
        assert payload["encoding"] == "utf-8"
        assert payload["filename"].startswith(f"govshare-filing-{world.org['name']}-")
        assert payload["filename"].endswith(".csv")
        assert payload["count"] == 2
        rows = list(csv.reader(io.StringIO(payload["data"])))
        assert rows[0][:4] == ["部门名称 (organization)", "统一社会信用代码 (uscc)",
                               "备案类别 (kind)", "姓名 (name)"]
        assert rows[0][-3:] == ["备案状态 (status)", "备案时间 (filed_at)", "备案回执号 (receipt)"]
        lead, contact = rows[1], rows[2]
        assert lead[2:10] == ["数据共享负责人", "张伟", "副局长", "办公室", "0351-4567890",
                              "zhangwei@scjg.shanxi.gov.cn", "2026-01-05", "已备案"]
        assert lead[0] == world.org["title"]
        assert lead[11] == "R-001"
        assert contact[2] == "数据共享联络员" and contact[9] == "待备案" and contact[10] == ""
        assert filing.payload_bytes(payload).startswith("\ufeff".encode())

    def test_export_xlsx(self, world):
        """XLSX: readable with openpyxl, header and rows as in the CSV, dates as dates."""
        self._fill(world)
        payload = helpers.call_action("govshare_filing_export", as_user(world.sysadmin),
                                      format="xlsx")
        assert payload["encoding"] == "base64"
        assert payload["mimetype"].endswith("spreadsheetml.sheet")
        assert payload["count"] == 3
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["data"])))
        sheet = book["负责人备案"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][2] == "备案类别 (kind)"
        assert len(rows) == 4
        names = {row[3]: row for row in rows[1:]}
        assert set(names) == {"张伟", "赵敏", "孙磊"}
        assert names["张伟"][8] == datetime.datetime(2026, 1, 5)
        assert isinstance(names["张伟"][10], datetime.datetime)
        assert names["孙磊"][2] == "数据安全管理责任人"
        assert names["孙磊"][0] == world.other["title"]

    def test_export_format_vocabulary(self, world):
        """Only csv and xlsx are offered."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_filing_export", format="pdf")
        assert e.value.error_dict["format"][0].startswith("Format (format) has an invalid value")

    def test_cli_export(self, world, cli, tmp_path):
        """`ckan govshare filing export` writes the XLSX of all departments."""
        from ckanext.govshare.cli import govshare

        self._fill(world)
        target = tmp_path / "filing.xlsx"
        result = cli.invoke(govshare, ["filing", "export", "--format", "xlsx", "-o", str(target)])
        assert result.exit_code == 0, result.output
        rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
        assert len(rows) == 4

    def test_cli_export_csv_to_stdout(self, world, cli):
        """CSV goes to standard output by default, filtered by status."""
        from ckanext.govshare.cli import govshare

        self._fill(world)
        result = cli.invoke(govshare, ["filing", "export", "--status", "filed"])
        assert result.exit_code == 0, result.output
        lines = result.output.lstrip("\ufeff").splitlines()
        assert len(lines) == 2 and "张伟" in lines[1]


# -- auth: one test per actor kind and action ----------------------------------------------------

MANAGE = [("sysadmin", True), ("admin", True), ("editor", False), ("member", False),
          ("other_admin", False), ("anonymous", False)]
READ = [("sysadmin", True), ("admin", True), ("editor", True), ("member", True),
        ("other_admin", False), ("anonymous", False)]
PLATFORM = [("sysadmin", True), ("admin", False), ("editor", False), ("member", False),
            ("other_admin", False), ("anonymous", False)]


@pytest.mark.parametrize("actor, allowed", MANAGE)
def test_auth_create(world, actor, allowed):
    """Department administrators and sysadmins name responsible persons."""
    result = outcome("govshare_filing_create", world, actor, organization_id=world.org["id"],
                     kind="lead", **PERSON)
    assert (result is not tk.NotAuthorized) is allowed
    assert model.Session.query(Filing).count() == (1 if allowed else 0)


@pytest.mark.parametrize("actor, allowed", MANAGE)
def test_auth_update(world, actor, allowed):
    """Department administrators and sysadmins change responsible persons."""
    record = _create(world)
    result = outcome("govshare_filing_update", world, actor, id=record["id"],
                     **{**PERSON, "name": "王芳"})
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", MANAGE)
def test_auth_file(world, actor, allowed):
    """Department administrators and sysadmins mark records filed."""
    record = _create(world)
    result = outcome("govshare_filing_file", world, actor, id=record["id"])
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", READ)
def test_auth_show(world, actor, allowed):
    """Members of the department read its records."""
    record = _create(world)
    result = outcome("govshare_filing_show", world, actor, id=record["id"])
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", READ)
def test_auth_list_department(world, actor, allowed):
    """Members of the department list its records."""
    result = outcome("govshare_filing_list", world, actor, organization_id=world.org["id"])
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", PLATFORM)
def test_auth_list_all(world, actor, allowed):
    """Only sysadmins (the platform's administration) list every department."""
    result = outcome("govshare_filing_list", world, actor)
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", MANAGE)
def test_auth_export_department(world, actor, allowed):
    """Department administrators and sysadmins export the department."""
    result = outcome("govshare_filing_export", world, actor, organization_id=world.org["id"])
    assert (result is not tk.NotAuthorized) is allowed


@pytest.mark.parametrize("actor, allowed", PLATFORM)
def test_auth_export_all(world, actor, allowed):
    """Only sysadmins export every department."""
    result = outcome("govshare_filing_export", world, actor, format="xlsx")
    assert (result is not tk.NotAuthorized) is allowed
