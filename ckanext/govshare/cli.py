"""``ckan govshare …`` commands: one click group, a subgroup per subject.

Commands call the actions as the site user (the platform's administration), so the rules and
the output are the API's.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from . import filing as gs_filing

__all__ = ["govshare"]


@click.group(short_help="Government data sharing (ckanext-govshare) commands.")
def govshare() -> None:
    """Commands of ckanext-govshare."""


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
    content = gs_filing.payload_bytes(payload)
    if output == "-":
        stream = click.get_binary_stream("stdout")
        stream.write(content)
        stream.flush()
    else:
        with open(output, "wb") as f:
            f.write(content)
        click.echo(f"{payload['count']} records written to {output}", err=True)


# -- demo catalogue -------------------------------------------------------------------------------


@govshare.group()
def demo() -> None:
    """The demo catalogue of scripts/serve.sh."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo departments, users and entries (idempotent) and print the accounts."""
    from . import demo as gs_demo

    accounts = gs_demo.load(echo=click.echo)
    click.echo("")
    click.echo(f"Demo accounts 演示账号 (password 密码: {gs_demo.DEMO_PASSWORD}):")
    for name, _password, what in accounts:
        click.echo(f"  {name:<26} {what}")


# -- lifecycle reminders -------------------------------------------------------------------------


@govshare.command("remind")
@click.option("--dry-run", is_flag=True, help="List the steps; send and record nothing.")
@click.option("--force", is_flag=True, help="Also steps already reminded today.")
@click.option("--enqueue", is_flag=True,
              help="Run as a background job (needs `ckan jobs worker`) and return at once.")
def remind(dry_run: bool, force: bool, enqueue: bool) -> None:
    """Email the deciders of overdue and due-soon review steps (cron-friendly, e.g. daily).

    Each decider gets one email listing the entries, steps and deadlines, in Chinese and
    English; a step is reminded at most once a day unless --force.
    """
    from . import notify

    if enqueue:
        job = tk.enqueue_job(notify.remind_job, title="govshare remind")
        click.echo(f"enqueued job {job.id}")
        return
    found = notify.remind(dry_run=dry_run, force=force)
    for item in found:
        step = notify.step_label(item.step, item.stage)[1]
        flag = "OVERDUE " if item.overdue else "due soon"
        click.echo(f"{flag} {item.due_at.astimezone(notify.deadlines.SHANGHAI):%Y-%m-%d %H:%M} "
                   f"{item.name} {step} -> {len(item.recipients)} recipient(s)")
    verb = "found" if dry_run else "reminded"
    click.echo(f"{len(found)} open step(s) {verb}")
