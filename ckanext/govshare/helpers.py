"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages."""
from __future__ import annotations

from .lifecycle_views import govshare_lifecycle_label  # noqa: F401  (re-exported)
from .vocab import (  # noqa: F401  (re-exported as template helpers)
    govshare_catalog_class_choices,
    govshare_catalog_item_choices,
    govshare_catalog_item_label,
    govshare_data_type_choices,
    govshare_format_category_choices,
    govshare_format_type_choices,
    govshare_grade_choices,
    govshare_open_type_choices,
    govshare_org_level_choices,
    govshare_share_mode_category_choices,
    govshare_share_mode_type_choices,
    govshare_share_type_choices,
    govshare_update_cycle_choices,
    govshare_yes_no_choices,
)

__all__ = [
    "govshare_catalog_class_choices",
    "govshare_catalog_item_choices",
    "govshare_format_category_choices",
    "govshare_format_type_choices",
    "govshare_data_type_choices",
    "govshare_share_type_choices",
    "govshare_share_mode_category_choices",
    "govshare_share_mode_type_choices",
    "govshare_open_type_choices",
    "govshare_update_cycle_choices",
    "govshare_org_level_choices",
    "govshare_yes_no_choices",
    "govshare_grade_choices",
    "govshare_catalog_item_label",
    "govshare_lifecycle_label",
]
