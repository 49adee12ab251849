"""ckanext-scheming YAML schemas of ckanext-govshare (installed as ``ckanext.govshare.schemas``)."""
