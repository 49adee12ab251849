"""The suite's own shortcuts keep what the tests rely on (tests/conftest.py, tests/worlds.py)."""
from __future__ import annotations

import ckan.model as model
import sqlalchemy as sa
from ckan.tests import factories

from . import lifecycle as L


def _contents() -> dict[str, str]:
    """A digest of every row of every table of the current schema."""
    tables = model.Session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename NOT LIKE '%alembic\\_version' ORDER BY tablename")).scalars().all()
    return {t: model.Session.execute(sa.text(
        f'SELECT md5(coalesce(string_agg(r::text, \',\' ORDER BY r::text), \'\')) FROM "{t}" r'
    )).scalar_one() for t in tables}


def test_quick_password_hashes_still_check_the_password(clean_db):
    """A test user's password hash has 1 000 rounds, verifies the password, refuses another,
    and a login does not re-hash it."""
    user = model.User.get(factories.User(password="Correct-Horse-42")["name"])
    stored = user.password
    assert stored.startswith("$pbkdf2-sha512$1000$")
    assert user.validate_password("Correct-Horse-42")
    assert not user.validate_password("Correct-Horse-43")
    assert user.password == stored


def test_a_restored_world_has_the_rows_it_was_built_with(fresh):
    """After writes, ``fresh`` gives back the very rows ``build`` made (and the same handles),
    with the append-only tables' triggers on again."""
    built = fresh(L.published_world)
    rows = _contents()
    assert model.Session.execute(sa.text("SELECT count(*) FROM govshare_audit")).scalar()
    entry = L.entry(built.org, built.compiler)
    L.act("govshare_catalogue_submit", built.compiler, id=entry["id"])
    assert _contents() != rows
    restored = fresh(L.published_world)
    assert vars(restored) == vars(built)
    assert _contents() == rows
    assert set(model.Session.execute(sa.text(
        "SELECT tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )).scalars()) == {"O"}
