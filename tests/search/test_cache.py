"""Cached counts and facets are exact: any committed index change starts a new generation."""
import pytest
from ckan.tests import factories, helpers

FACETS = {"facet.field": '["tags", "organization"]'}


@pytest.mark.usefixtures("clean_db")
def test_cached_facets_follow_every_write():
    """Create, update and delete are reflected at once in the counts and facets of a repeated search."""
    org = factories.Organization()
    first = factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}])
    before = helpers.call_action("package_search", **FACETS)
    assert before["count"] == 1 and before["facets"]["tags"] == {"alpha": 1}
    assert helpers.call_action("package_search", **FACETS)["facets"] == before["facets"]

    factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}, {"name": "beta"}])
    after = helpers.call_action("package_search", **FACETS)
    assert after["count"] == 2 and after["facets"]["tags"] == {"alpha": 2, "beta": 1}

    sysadmin = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=first["id"],
                        tags=[{"name": "gamma"}])
    patched = helpers.call_action("package_search", **FACETS)
    assert patched["facets"]["tags"] == {"alpha": 1, "beta": 1, "gamma": 1}

    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=first["id"])
    assert helpers.call_action("package_search", **FACETS)["count"] == 1


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.govshare.search.cache_size", "0")
def test_cache_can_be_turned_off():
    """With cache_size 0 every search counts afresh and answers the same."""
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}])
    assert helpers.call_action("package_search", **FACETS)["facets"]["tags"] == {"alpha": 1}


@pytest.mark.usefixtures("clean_db")
def test_generation_advances_on_commit():
    """A committed dataset write starts a new generation of cached results."""
    import ckan.model as model

    from ckanext.govshare.search import cache

    start = cache.generation(model.Session)
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"])
    assert cache.generation(model.Session) > start
