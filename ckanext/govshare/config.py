"""Typed getters for every ``ckanext.govshare.*`` option.

Options are declared once, with their defaults, in ``config_declaration.yaml``; code reads
them only through these functions (never at import time). This module depends on nothing of
govshare: an option whose value is judged against a feature's data is read here as it is
written and checked by the feature (the grade scale by :func:`.catalogue.vocab.grade_scale`,
the no-review fields by :func:`.lifecycle.options.no_review_fields`, refused at startup by
:func:`.lifecycle.options.check`).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk


def search_backend() -> str:
    """``postgres`` (embedded default) or ``solr``."""
    return tk.config.get("ckanext.govshare.search_backend") or "postgres"


def search_user_dict() -> str:
    """Path of an optional extra-terms file for the Chinese segmenter."""
    return tk.config.get("ckanext.govshare.search.user_dict") or ""


def search_max_rows() -> int:
    """Largest page the PostgreSQL search backend returns."""
    return tk.config.get("ckanext.govshare.search.max_rows")


def search_max_query_length() -> int:
    """Longest ``q`` or ``fq`` filter (characters) the PostgreSQL search backend answers."""
    return tk.config.get("ckanext.govshare.search.max_query_length")


def search_max_clauses() -> int:
    """Most terms and ranges in one ``q`` or ``fq`` filter."""
    return tk.config.get("ckanext.govshare.search.max_clauses")


def search_max_facet_fields() -> int:
    """Most distinct ``facet.field`` names in one search."""
    return tk.config.get("ckanext.govshare.search.max_facet_fields")


def deadline_review_days() -> int:
    """Working days to review a submitted catalogue entry."""
    return tk.config.get("ckanext.govshare.deadline.review_days")


def deadline_revision_review_days() -> int:
    """Working days to review a pending revision."""
    return tk.config.get("ckanext.govshare.deadline.revision_review_days")


def deadline_offline_review_days() -> int:
    """Working days to decide an offline request."""
    return tk.config.get("ckanext.govshare.deadline.offline_review_days")


def deadline_update_after_change_days() -> int:
    """Working days to update an entry after a change event."""
    return tk.config.get("ckanext.govshare.deadline.update_after_change_days")


#: the sharing flows' clocks (``ckanext.govshare.deadline.<clock>_days``; names in
#: :data:`ckanext.govshare.sharing.flows.CLOCKS`)
SHARING_CLOCKS = ("endorsement", "reply", "reply_unpublished", "delivery", "demand_reply",
                  "collection_review", "negotiation", "coordination", "complaint_reply",
                  "signoff")


def deadline_days(clock: str) -> int:
    """Working days of a lifecycle clock (``TransitionResult.clock``), ``update_after_change``
    or a sharing flow's clock."""
    getters = {
        "review": deadline_review_days,
        "revision_review": deadline_revision_review_days,
        "offline_review": deadline_offline_review_days,
        "update_after_change": deadline_update_after_change_days,
    }
    if clock in SHARING_CLOCKS:
        return tk.config.get(f"ckanext.govshare.deadline.{clock}_days")
    return getters[clock]()


def unconditional_requires_request() -> bool:
    """Outsiders reach an unconditional entry's data only through an (automatic) grant."""
    return tk.config.get("ckanext.govshare.unconditional_requires_request")


def sharing_security_review_grade() -> str:
    """The lowest grade whose access requests need the provider's security officer."""
    return (tk.config.get("ckanext.govshare.sharing.security_review_grade") or "").strip()


def sharing_agreement_grade() -> str:
    """The lowest grade whose authorizations need a security agreement."""
    return (tk.config.get("ckanext.govshare.sharing.agreement_grade") or "").strip()


def sharing_signoff_grade() -> str:
    """The lowest grade the department's security officer confirms."""
    return (tk.config.get("ckanext.govshare.sharing.signoff_grade") or "").strip()


def coordinating_department() -> str:
    """Name or id of the 统筹协调组织's department ('' : the sysadmins coordinate)."""
    return (tk.config.get("ckanext.govshare.coordinating_department") or "").strip()


def calendar_last_official_year() -> int | None:
    """Configured last year with an official holiday schedule, ``None`` to detect it."""
    value = tk.config.get("ckanext.govshare.calendar.last_official_year")
    return int(value) if value not in (None, "") else None


def lifecycle_second_stage() -> list[str]:
    """``field=value`` conditions that send an entry to the coordinator after the reviewer."""
    return tk.config.get("ckanext.govshare.lifecycle.second_stage") or []


def revision_no_review_names() -> list[str]:
    """The names written in ``ckanext.govshare.revision.no_review_fields`` (default: none), as
    written; :func:`.lifecycle.options.no_review_fields` checks them against the schema."""
    return _words(tk.config.get("ckanext.govshare.revision.no_review_fields"))


def _words(value: str | list[str] | None) -> list[str]:
    """A ``list`` option's words, also before CKAN has normalized a plain string into a list."""
    return value.split() if isinstance(value, str) else list(value or [])


def freshness_options() -> dict[str, float | int]:
    """Keyword arguments of ``deadlines.freshness`` (thresholds of the update-cycle check)."""
    return {
        "due_soon_ratio": tk.config.get("ckanext.govshare.freshness.due_soon_ratio"),
        "grace_ratio": tk.config.get("ckanext.govshare.freshness.grace_ratio"),
        "delinquent_cycles": tk.config.get("ckanext.govshare.freshness.delinquent_cycles"),
        "irregular_days": tk.config.get("ckanext.govshare.freshness.irregular_days"),
    }


def public_catalogue() -> bool:
    """Whether anonymous visitors see published entries' metadata."""
    return tk.config.get("ckanext.govshare.public_catalogue")


#: the site identity lines (``ckanext.govshare.site.<name>``), in the footer's order
SITE_IDENTITY = ("sponsor", "support", "contact", "icp")


def site_identity() -> dict[str, str]:
    """The portal's 主办单位, 技术支持, contact and 备案号 (``""`` when not set), and
    ``icp_url``, the 备案号's link."""
    identity = {name: (tk.config.get(f"ckanext.govshare.site.{name}") or "").strip()
                for name in SITE_IDENTITY}
    identity["icp_url"] = tk.config.get("ckanext.govshare.site.icp_url") or ""
    return identity


#: the home page's notices: an option a sysadmin edits on /ckan-admin/config too
HOME_NOTICES = "ckanext.govshare.home.notices"


def home_notices() -> list[str]:
    """The home page's notices, one per non-empty line of ``ckanext.govshare.home.notices``
    (the value a sysadmin saved on ``/ckan-admin/config`` once there is one)."""
    text = tk.config.get(HOME_NOTICES) or ""
    return [line.strip() for line in text.splitlines() if line.strip()]


def home_notice_max_length() -> int:
    """The longest notice a sysadmin may save (``ckanext.govshare.home.notice_max_length``)."""
    return tk.config.get("ckanext.govshare.home.notice_max_length")


def home_latest() -> int:
    """How many latest published entries the home page lists."""
    return max(0, tk.config.get("ckanext.govshare.home.latest"))


def ui_hidden() -> frozenset[str]:
    """The CKAN features hidden from the pages (``groups``, ``follow``, ``license``,
    ``social``, ``visibility``, ``unpublish``)."""
    return frozenset(tk.aslist(tk.config.get("ckanext.govshare.ui.hidden")))


def harvest_user() -> str:
    """Name of the provincial platform's harvest account ('' when none is designated)."""
    return tk.config.get("ckanext.govshare.harvest_user") or ""


def grade_scale_options() -> dict[str, Any]:
    """Keyword arguments of :class:`.catalogue.vocab.GradeScale` (``ckanext.govshare.grade.*``);
    :func:`.catalogue.vocab.grade_scale` builds and checks the scale.

    Raises ``ValueError`` naming the option when the labels' JSON is not an object.
    """
    raw_labels = tk.config.get("ckanext.govshare.grade.labels")
    try:
        labels = json.loads(raw_labels) if raw_labels else {}
    except ValueError as exc:
        raise ValueError(f"ckanext.govshare.grade.labels is not valid JSON: {exc}") from exc
    if not isinstance(labels, dict):
        raise ValueError("ckanext.govshare.grade.labels must be a JSON object")
    return {
        "codes": tuple(tk.config.get("ckanext.govshare.grade.scale")),
        "restricted_from": tk.config.get("ckanext.govshare.grade.restricted_from"),
        "not_open_from": tk.config.get("ckanext.govshare.grade.not_open_from"),
        "core_from": tk.config.get("ckanext.govshare.grade.core_from"),
        "labels": labels,
    }


def allow_core_sharing() -> bool:
    """Whether core data (核心数据) may be shared at all."""
    return tk.config.get("ckanext.govshare.allow_core_sharing")


def resource_code_template() -> str:
    """The ``str.format`` template of a 信息资源代码."""
    return tk.config.get("ckanext.govshare.resource_code.template")


def extra_dataset_types() -> frozenset[str]:
    """Dataset types besides ``dataset`` that users who are not sysadmins may create."""
    return frozenset(_words(tk.config.get("ckanext.govshare.extra_dataset_types")))


def notify_enabled() -> bool:
    """Whether lifecycle events email the people concerned."""
    return tk.config.get("ckanext.govshare.notify.enabled")


def notify_background() -> bool:
    """Whether lifecycle emails go out through a background job instead of in the request."""
    return tk.config.get("ckanext.govshare.notify.background")


def remind_due_soon_days() -> int:
    """Working days ahead within which an open step counts as due soon for reminders."""
    return tk.config.get("ckanext.govshare.remind.due_soon_days")


def workbench_expiry_notice_days() -> int:
    """Calendar days before an authorization ends from which the workbench lists it."""
    return max(0, int(tk.config.get("ckanext.govshare.workbench.expiry_notice_days")))


def search_cache_size() -> int:
    """Searches per worker whose counts and facets are cached until the index changes."""
    return tk.config.get("ckanext.govshare.search.cache_size")


ASSESSMENT_DIMENSIONS = ("comprehensiveness", "completeness", "accuracy", "timeliness")


def assessment_weights() -> dict[str, float]:
    """Weights of the assessment dimensions, normalized to sum 1.

    Raises ``ValueError`` naming the option when a pair is malformed or unknown.
    """
    raw = tk.config.get("ckanext.govshare.assessment.weights") or ""
    weights: dict[str, float] = dict.fromkeys(ASSESSMENT_DIMENSIONS, 0.0)
    for pair in raw.replace(",", " ").split():
        name, _, value = pair.partition(":")
        if name not in weights:
            raise ValueError(f"ckanext.govshare.assessment.weights: unknown dimension {name!r}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise ValueError(f"ckanext.govshare.assessment.weights: {pair!r} is not name:number") from None
        if weights[name] < 0:
            raise ValueError(f"ckanext.govshare.assessment.weights: {name} is negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("ckanext.govshare.assessment.weights: weights sum to 0")
    return {k: v / total for k, v in weights.items()}


def assessment_trend_months() -> int:
    """Months of stored assessment snapshots shown as the trend."""
    return tk.config.get("ckanext.govshare.assessment.trend_months")


def statistics_months() -> int:
    """Months the statistics' monthly charts cover, ending with the current one."""
    return max(1, tk.config.get("ckanext.govshare.statistics.months"))


def duplicates_threshold() -> float:
    """Jaccard overlap of 信息项 names from which two entries are possible duplicates."""
    return tk.config.get("ckanext.govshare.duplicates.threshold")


def import_workers() -> int:
    """Processes writing an imported workbook at once (at least 1)."""
    return max(1, tk.config.get("ckanext.govshare.import.workers"))


def import_background_rows() -> int:
    """Entry rows above which an uploaded workbook is imported by a background job."""
    return tk.config.get("ckanext.govshare.import.background_rows")


def import_max_bytes() -> int:
    """Largest workbook accepted for import, in bytes."""
    return tk.config.get("ckanext.govshare.import.max_bytes")
