"""The demo catalogue's keywords (关键字) are whole words (issue #12: "tags are cut at 6
characters"): the resource its title names and the department, never a title cut short."""
from __future__ import annotations

from ckanext.govshare import demo


def test_demo_keywords_are_whole_words():
    """Each demo entry's keywords: its title without the generic 信息, its department's name
    without the province."""
    for dept in demo.DEPARTMENTS:
        for template in demo.TEMPLATES[dept["name"]]:
            tags = [t["name"] for t in demo._entry(dept, template, "", 0)["tags"]]
            title = template[0]
            assert title in (tags[0], f"{tags[0]}信息"), (title, tags)
            assert f"省{tags[1]}" == dept["title"], tags
