"""The lifecycle's options that are judged against the lifecycle's tables and the loaded schema.

``config.py`` reads ``ckanext.govshare.revision.no_review_fields`` as written; here the names
are checked (:func:`machine.check_no_review_fields`: fields of the dataset schema, none that
always needs review, none a second-stage condition reads). :func:`check` refuses a bad value at
startup (``IConfigurable.configure``, once every plugin is set up and the schemas are loaded).
"""
from __future__ import annotations

from ckan.exceptions import CkanConfigurationException

from ckanext.govshare import config as gs_config
from ckanext.govshare.lifecycle import machine
from ckanext.scheming.helpers import scheming_dataset_schemas

__all__ = ["no_review_fields", "check"]


def no_review_fields() -> frozenset[str]:
    """Fields an edit of a published entry may change without review (default: none).

    Raises ``ValueError`` naming the option when a name is not a field of the dataset schema,
    is one of :data:`~ckanext.govshare.lifecycle.tables.REVIEW_REQUIRED_FIELDS` or is read by a
    second-stage condition.
    """
    names = gs_config.revision_no_review_names()
    if not names:
        return frozenset()
    conditions = gs_config.lifecycle_second_stage()
    if isinstance(conditions, str):  # set by hand, before CKAN has made the option a list
        conditions = conditions.split()
    staged = [name for name, _value in machine.parse_second_stage_conditions(conditions)]
    return machine.check_no_review_fields(
        names, schema_fields=_dataset_schema_fields(), second_stage_fields=staged)


def _dataset_schema_fields() -> set[str]:
    """Top-level field names of every scheming dataset schema (none without scheming)."""
    schemas = scheming_dataset_schemas() or {}
    return {f["field_name"] for schema in schemas.values()
            for f in schema.get("dataset_fields") or []}


def check() -> None:
    """Refuse an inconsistent lifecycle configuration at startup.

    Raises ``CkanConfigurationException`` with the offending option's message.
    """
    try:
        no_review_fields()
    except ValueError as exc:
        raise CkanConfigurationException(str(exc)) from exc
