"""``ckan govshare …`` commands: one click group, a subgroup per subject.

Commands call the actions as the site user (the platform's administration), so the rules and
the output are the API's.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.govshare import config as gs_config
from ckanext.govshare import demo as gs_demo
from ckanext.govshare.assessment import export as gs_export
from ckanext.govshare.assessment import service as gs_assessment
from ckanext.govshare.department import filing as gs_filing
from ckanext.govshare.department import roles
from ckanext.govshare.exchange import dcat_feed
from ckanext.govshare.exchange import workbook as gs_workbook
from ckanext.govshare.lifecycle import notify
from ckanext.govshare.logic.action import workbook as workbook_actions
from ckanext.govshare.model import base as model_base
from ckanext.govshare.sharing import authorizations as gs_authorizations
from ckanext.govshare.sharing import daily

__all__ = ["govshare"]


@click.group(short_help="Government data sharing (ckanext-govshare) commands.")
def govshare() -> None:
    """Commands of ckanext-govshare."""


def _write_file(content: bytes, output: str, what: str) -> None:
    """Write an export to ``output`` ('-': standard output), saying ``what`` was written."""
    if output == "-":
        stream = click.get_binary_stream("stdout")
        stream.write(content)
        stream.flush()
    else:
        with open(output, "wb") as f:
            f.write(content)
        click.echo(f"{what} written to {output}", err=True)


def _site_context() -> dict[str, object]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


# -- filing of responsible persons ---------------------------------------------------------------


@govshare.group()
def filing() -> None:
    """Filing (备案) of the departments' responsible persons."""


@filing.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(gs_filing.FORMATS)), default="csv",
              show_default=True, help="File format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="File to write ('-': standard output).")
@click.option("--organization", "organization_id", default=None,
              help="Only this department (id or name); default: all departments.")
@click.option("--status", type=click.Choice(list(gs_filing.STATUSES)), default=None,
              help="Only records with this status.")
def export(fmt: str, output: str, organization_id: str | None, status: str | None) -> None:
    """Export the filing records (CSV or XLSX) for the platform's administration."""
    data_dict = {"format": fmt}
    if organization_id:
        data_dict["organization_id"] = organization_id
    if status:
        data_dict["status"] = status
    try:
        payload = tk.get_action("govshare_filing_export")(_site_context(), data_dict)
    except tk.ValidationError as e:
        raise click.ClickException(str(e.error_summary)) from None
    _write_file(gs_filing.payload_bytes(payload), output, f"{payload['count']} records")


# -- demo catalogue -------------------------------------------------------------------------------


@govshare.group()
def demo() -> None:
    """The demo catalogue of scripts/serve.sh."""


@demo.command("load")
@click.pass_context
def demo_load(ctx: click.Context) -> None:
    """Load the demo departments, users and entries (idempotent), saying what was made, and
    print the accounts, in the portal's default locale."""
    # gettext answers in a request's language: a request without a locale prefix has the
    # portal's default one, as a page at the portal's root
    with ctx.meta["flask_app"].test_request_context():
        accounts = gs_demo.load(echo=click.echo)
        click.echo("")
        click.echo(tk._("Demo accounts (password: {password}):").format(
            password=gs_demo.DEMO_PASSWORD))
        for account in accounts:
            click.echo(f"  {account.name:<26} {gs_demo.account_label(account)}")


# -- lifecycle reminders -------------------------------------------------------------------------


@govshare.command("remind")
@click.option("--dry-run", is_flag=True, help="List the steps; send and record nothing.")
@click.option("--force", is_flag=True, help="Also steps already reminded today.")
@click.option("--enqueue", is_flag=True,
              help="Run as a background job (needs `ckan jobs worker`) and return at once.")
def remind(dry_run: bool, force: bool, enqueue: bool) -> None:
    """Email the deciders of overdue and due-soon review steps and sharing cases (cron-friendly,
    e.g. daily).

    First, disputes still in negotiation after their window are escalated to the coordinator.
    Each decider gets one email listing the entries, steps and deadlines, in Chinese and
    English (never about a step they submitted, nor at the coordinator stage one they approved
    at stage 1); the compilers of an entry's unit get its update due after a change event.
    Then the open cases of the sharing flows (access requests, demands, disputes, complaints,
    grade sign-offs) go the same way to those they wait on, one email per person. A step or
    case is reminded at most once a day unless --force.
    """
    if enqueue:
        job = tk.enqueue_job(daily.job, title="govshare remind")
        click.echo(f"enqueued job {job.id}")
        return
    done = daily.run(dry_run=dry_run, force=force)
    # DB14 §9.3 •3: a dispute not settled within its window goes to the coordinator
    click.echo(f"{done.escalated} dispute(s) {'to escalate' if dry_run else 'escalated'}")
    found, due_cases = done.steps, done.cases
    for item in found:
        step = notify.step_label(item.step, item.stage)[1]
        flag = "OVERDUE " if item.overdue else "due soon"
        click.echo(f"{flag} {item.due_at.astimezone(notify.deadlines.SHANGHAI):%Y-%m-%d %H:%M} "
                   f"{item.name} {step} -> {len(item.recipients)} recipient(s)")
    verb = "found" if dry_run else "reminded"
    click.echo(f"{len(found)} open step(s) {verb}")
    # the sharing flows' cases (requests, demands, disputes, sign-offs…)
    for case in due_cases:
        flag = "OVERDUE " if case.overdue else "due soon"
        click.echo(f"{flag} {case.due_at.astimezone(notify.deadlines.SHANGHAI):%Y-%m-%d %H:%M} "
                   f"{case.number} {case.kind} {case.state} "
                   f"-> {len(case.recipients)} recipient(s)")
    click.echo(f"{len(due_cases)} open case(s) {verb}")


# -- assessment (DB14 §7.4 目录编制考核) ------------------------------------------------------------


@govshare.group()
def assessment() -> None:
    """Catalogue compilation assessment (目录编制考核): monthly snapshots and the workbook."""


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


@assessment.command("snapshot")
@click.option("--period", default=None, metavar="YYYY-MM",
              help="Month to store (Beijing time); default: the previous month.")
@click.option("--department", "departments", multiple=True, metavar="NAME",
              help="Only this department (name or id; repeatable); default: all departments.")
@click.option("--enqueue", is_flag=True,
              help="Run as a background job (needs `ckan jobs worker`) and return at once.")
def assessment_snapshot(period: str | None, departments: tuple[str, ...], enqueue: bool) -> None:
    """Store the month's assessment of each department and its units (cron-friendly, e.g.
    monthly on the 1st); taking a month again replaces it. Prints what it stored."""
    if enqueue:
        job = tk.enqueue_job(gs_assessment.snapshot_job, [period, list(departments) or None],
                             title="govshare assessment snapshot")
        click.echo(f"enqueued job {job.id}")
        return

    def report(ref: str, stored: dict) -> None:
        for row in stored["results"]:
            click.echo(f"{stored['period']} {ref} {row['unit'] or '-'} "
                       f"score {_fmt(row['score'])} (全面性 {_fmt(row['comprehensiveness'])}, "
                       f"完整性 {_fmt(row['completeness'])}, 准确性 {_fmt(row['accuracy'])}, "
                       f"时效性 {_fmt(row['timeliness'])}) entries {row['counts']['entries']}")

    try:
        stored = gs_assessment.snapshot_departments(period, departments, report)
    except (tk.ValidationError, tk.ObjectNotFound) as e:
        raise click.ClickException(str(getattr(e, "error_summary", None) or e)) from None
    rows = sum(s["count"] for s in stored)
    click.echo(f"{rows} snapshot row(s) of {len(stored)} department(s) stored")


def _assessment_report(period: str, departments: tuple[str, ...]) -> dict:
    """The actions' results for the workbook: per department its assessment, its units' and
    the stored snapshots of the trend months (as the site user)."""
    context = _site_context()
    last_month = gs_assessment.last_month(period, model_base.now())
    first, last = gs_assessment.months_back(last_month, gs_config.assessment_trend_months())
    show = tk.get_action("govshare_assessment_show")
    out = []
    for ref in list(departments) or gs_assessment.department_names():
        org = tk.get_action("organization_show")(
            dict(context), {"id": ref, "include_datasets": False, "include_users": False})
        data = {"organization_id": org["id"], "period": period}
        units = [{"code": u["code"], "name": u["name"],
                  "result": show(dict(context), dict(data, unit=u["code"]))}
                 for u in roles.department_units(org["id"])]
        trend = tk.get_action("govshare_assessment_snapshot_list")(dict(context), {
            "organization_id": org["id"], "include_units": True,
            "period_from": first, "period_to": last})["results"]
        out.append({"name": org["name"], "title": org.get("title") or org["name"],
                    "result": show(dict(context), data), "units": units, "trend": trend})
    return {"period": period, "departments": out}


@assessment.command("export")
@click.option("--period", default=None, metavar="PERIOD",
              help="YYYY-MM, YYYY-Qn or YYYY (Beijing time); default: the previous month.")
@click.option("--department", "departments", multiple=True, metavar="NAME",
              help="Only this department (name or id; repeatable); default: all departments.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="XLSX file to write; default: govshare-assessment-<period>.xlsx.")
def assessment_export(period: str | None, departments: tuple[str, ...],
                      output: str | None) -> None:
    """Export the assessment to XLSX: a summary sheet, one sheet per department with its
    units, and the trend of the stored monthly snapshots (bilingual headers)."""
    period = period or gs_assessment.previous_month(model_base.now())
    try:
        gs_assessment.parse_period(period, model_base.now())
    except ValueError:
        raise click.BadParameter("YYYY-MM, YYYY-Qn or YYYY", param_hint="--period") from None
    try:
        report = _assessment_report(period, departments)
    except (tk.ValidationError, tk.ObjectNotFound) as e:
        raise click.ClickException(str(getattr(e, "error_summary", None) or e)) from None
    output = output or f"govshare-assessment-{period}.xlsx"
    with open(output, "wb") as f:
        f.write(gs_export.workbook(report))
    click.echo(f"{len(report['departments'])} department(s), period {period}, written to {output}")


# -- authorizations (授权) -------------------------------------------------------------------------


@govshare.group("authorizations")
def authorizations_group() -> None:
    """Authorizations (授权) of the sharing flows."""


@authorizations_group.command("expire")
@click.option("--enqueue", is_flag=True,
              help="Run as a background job (needs `ckan jobs worker`) and return at once.")
def authorizations_expire(enqueue: bool) -> None:
    """Mark every authorization past its validity as expired (cron-friendly, e.g. daily).

    Active, suspended and pending authorizations whose valid_until has passed become expired,
    each step in the audit trail and both sides told. Whether data is visible does not wait
    for this run: an authorization past its validity grants nothing already.
    """
    if enqueue:
        job = tk.enqueue_job(gs_authorizations.expire_job, title="govshare authorizations expire")
        click.echo(f"enqueued job {job.id}")
        return
    result = tk.get_action("govshare_authorization_expire")(_site_context(), {})
    for number in result["results"]:
        click.echo(f"expired {number}")
    click.echo(f"{result['count']} authorization(s) expired")


# -- the 1272 Excel template (issue #11 §2) --------------------------------------------------------


@govshare.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", default=None, metavar="NAME",
              help="Import every entry into this department (name or id); default: each row "
                   "names its provider (信息资源提供方 or its code).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--user", "user", default=None, metavar="NAME",
              help="Import as this user (their rights apply); default: the site user.")
def catalogue_import(path: str, department: str | None, dry_run: bool,
                     user: str | None) -> None:
    """Import a filled-in 1272 workbook (.xlsx): new entries as drafts, published ones as
    pending revisions; all or nothing. Errors are listed by sheet, row and column."""
    with open(path, "rb") as f:
        content = f.read()
    bar: list = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(click.progressbar(length=total, label="rows", file=click.get_text_stream(
                "stderr")))
            bar[0].__enter__()
        bar[0].update(done - bar[0].pos)

    context = {"user": user or _site_context()["user"],
               workbook_actions.CONTENT_CONTEXT_KEY: content,
               workbook_actions.PROGRESS_CONTEXT_KEY: progress}
    data_dict = {"dry_run": dry_run}
    if department:
        data_dict["organization_id"] = department
    try:
        outcome = tk.get_action("govshare_catalogue_import_xlsx")(context, data_dict)
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(getattr(e, "error_summary", None) or e)) from None
    finally:
        if bar:
            bar[0].__exit__(None, None, None)
    for p in outcome["problems"]:
        where = f"{p['sheet']}!{p['column']}{p['row']}" if p["sheet"] else "-"
        header = f" [{p['header']}]" if p["header"] else ""
        click.echo(f"{where}{header}: {p['message']}")
    counts = outcome["counts"]
    summary = (f"{outcome['entries']} entries: {counts['created']} new, {counts['updated']} "
               f"updated, {counts['revised']} revised, {counts['unchanged']} unchanged")
    if outcome["problems"]:
        click.echo(f"{summary}; {len(outcome['problems'])} problem(s): nothing stored")
        raise SystemExit(1)
    click.echo(f"{summary}" + (" (dry run: nothing stored)" if dry_run else ""))


@govshare.command("export")
@click.option("--department", default=None, metavar="NAME",
              help="Only this department (name or id); default: every department.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json", "template"]),
              default="xlsx", show_default=True,
              help="The 1272 template, its JSON, or the blank template.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="File to write ('-': standard output); default: the suggested file name.")
def catalogue_export(department: str | None, fmt: str, output: str | None) -> None:
    """Export the catalogue as the 1272 template (imports back unchanged) or as JSON."""
    data_dict = {"format": fmt}
    if department:
        data_dict["organization_id"] = department
    try:
        payload = tk.get_action("govshare_catalogue_export")(_site_context(), data_dict)
    except (tk.ValidationError, tk.ObjectNotFound) as e:
        raise click.ClickException(str(getattr(e, "error_summary", None) or e)) from None
    _write_file(gs_workbook.payload_bytes(payload), output or payload["filename"],
                f"{payload['count']} entries")


@govshare.group("dcat")
def dcat_group() -> None:
    """The harvest endpoint's feed (plugin govshare_dcat)."""


@dcat_group.command("rebuild")
def dcat_rebuild() -> None:
    """Write every published and offline entry's DCAT fragments again (after enabling
    govshare_dcat on an existing catalogue, or changing ckan.site_url)."""
    count = dcat_feed.rebuild_all(echo=click.echo)
    click.echo(f"{count} entries")


@dcat_group.command("refresh")
def dcat_refresh() -> None:
    """Write the fragments that are missing or older than their entry (entries written while
    govshare_dcat was not loaded) and drop those of entries no longer in the feed."""
    click.echo(f"{dcat_feed.refresh_stale()} entries written")
