"""Statistics of the catalogue and of the sharing flows (issue #12 §6): counts of entries by
share type, state, unit, format and class; review times against their deadlines; access
requests per month and the providers' reply times; demands, complaints; the assessment's trend.

:mod:`.queries` holds the SQL (one statement per chart), :mod:`.service` turns its rows into
charts (labels in the page's language, empty months filled in), :mod:`.export` writes a chart
as an XLSX workbook. Who may see which scope is :mod:`ckanext.govshare.permissions`' decision.
"""
