"""gettext catalogs of ckanext-govshare (installed as ``ckanext.govshare.i18n``)."""
