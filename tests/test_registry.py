"""The agency registry: validated with line numbers in Chinese, unknown keys refused, imported as the roster."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from crawl_support import sqlite  # noqa: F401  (fixture)
from sqlmodel import select

from audit.registry import (
    RegistryError,
    host_matches,
    import_sites,
    load_registry,
    parse_csv,
    parse_yaml,
    stored_sites,
)
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import agency_by_name, local_deadlines

GOOD = """\
agencies:
  - name: 平潭综合实验区管委会
    region: "350128"
    level: government
    parent: 福建省人民政府
    lists:
      - https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/index.html
    deadline: "02-20"
  - name: 平潭综合实验区财政金融局
    aliases: [财政金融局]
    level: department
    profile: trs
    selectors: {list_area: "ul.list"}
    lists: [https://cz.example.gov.cn/nb/index.html]
    hosts: [files.example.gov.cn, "127.0.0.1:8080"]
"""


def test_a_good_registry_loads() -> None:
    gov, dept = parse_yaml(GOOD, "sites.yaml")
    assert (gov.name, gov.region, gov.level, gov.deadline) == (
        "平潭综合实验区管委会",
        "350128",
        "government",
        "02-20",
    )
    assert gov.local_deadline(2023) == date(2024, 2, 20)
    assert dept.aliases == ["财政金融局"] and dept.selectors == {"list_area": "ul.list"}
    assert dept.allowed_hosts() == {"cz.example.gov.cn", "files.example.gov.cn", "127.0.0.1:8080"}
    assert dept.explicit_hosts() == {"files.example.gov.cn", "127.0.0.1:8080"}
    assert gov.source == "sites.yaml:2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    colour: red\n",
            "sites.yaml 第4行：未知字段“colour”",
        ),
        (
            "agencies:\n  - name: 某局\n    level: dept\n    lists: [http://a.gov.cn/]\n",
            "第3行：level 只能是",
        ),
        ("agencies:\n  - name: 某局\n    lists: [ftp://a.gov.cn/]\n", "第3行：网址无效“ftp://a.gov.cn/”"),
        ("agencies:\n  - name: 某局\n", "第2行：lists 应为至少一个"),
        ("agencies:\n  - lists: [http://a.gov.cn/]\n", "第2行：缺少 name"),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    deadline: 2-30\n",
            "第4行：deadline 格式应为 MM-DD",
        ),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    region: 35\n",
            "第4行：region 应为 6 位或 12 位",
        ),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    profile: wordpress\n",
            "第4行：未知站点类型“wordpress”",
        ),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    selectors: {links: a}\n",
            "selectors 中未知字段“links”",
        ),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    hosts: [http://b.gov.cn/x]\n",
            "hosts 中的主机无效",
        ),
        (
            "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n  - name: 某局\n    lists: [http://b.gov.cn/]\n",
            "第4行：名称“某局”与第2行重复",
        ),
        ("sites:\n  - name: 某局\n", "第1行：未知字段“sites”"),
        ("agencies: [\n", "YAML 格式错误"),
        ("agencies: []\n", "没有任何机关"),
    ],
)
def test_every_problem_is_reported_with_its_line(text: str, message: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_yaml(text, "sites.yaml")
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(
        "agencies:\n  - name: 甲\n    lists: [x]\n  - name: 乙\n    level: y\n    lists: [http://a.gov.cn/]\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert len(caught.value.problems) == 2 and all(str(path) in p for p in caught.value.problems)


def test_csv_registry(tmp_path: Path) -> None:
    text = (
        "name,region,level,lists,aliases,deadline,list_area\n"
        "某市财政局,640500,department,http://cz.gov.cn/nb/index.html http://cz.gov.cn/nb2/,财政局;市财政局,01-20,ul.list\n"
    )
    (site,) = parse_csv(text, "sites.csv")
    assert site.lists == ["http://cz.gov.cn/nb/index.html", "http://cz.gov.cn/nb2/"]
    assert site.aliases == ["财政局", "市财政局"] and site.selectors == {"list_area": "ul.list"}
    with pytest.raises(RegistryError) as caught:
        parse_csv("name,lists,colour\n某局,http://a.gov.cn/,red\n", "sites.csv")
    assert caught.value.problems == [
        "sites.csv 第1行：未知列“colour”（可用：name、aliases、region、level、parent、website、lists、hosts、deadline、profile、selectors）"
    ]
    with pytest.raises(RegistryError) as caught:
        parse_csv("name,lists,level\n某局,http://a.gov.cn/,x\n", "sites.csv")
    assert caught.value.problems[0].startswith("sites.csv 第2行：level")


def test_hosts_match_with_and_without_port() -> None:
    assert host_matches("http://a.gov.cn:8080/x", {"a.gov.cn"})
    assert host_matches("http://127.0.0.1:8080/x", {"127.0.0.1:8080"})
    assert not host_matches("http://127.0.0.1:8081/x", {"127.0.0.1:8080"})
    assert not host_matches("http://b.a.gov.cn/x", {"a.gov.cn"})  # subdomains are other hosts
    assert not host_matches("http://a.gov.cn:99999/x", {"a.gov.cn"})


def test_import_makes_the_registry_the_roster(sqlite: str) -> None:  # noqa: ARG001, F811
    sites = parse_yaml(GOOD, "sites.yaml")
    with store.session_scope() as session:
        first = import_sites(session, sites)
    with store.session_scope() as session:
        again = import_sites(session, sites[:1], replace=True)
    assert (first.created, first.updated) == (2, 0)
    assert (again.created, again.updated, again.deactivated) == (0, 1, 1)
    with store.session_scope() as session:
        agencies = {a.name: a for a in session.exec(select(m.Agency)).all()}
        assert agencies["平潭综合实验区管委会"].level == "government"
        assert agencies["平潭综合实验区管委会"].region == "350128"
        assert [s.name for s in stored_sites(session)] == ["平潭综合实验区管委会"]
        assert agency_by_name(session, "财政金融局").name == "平潭综合实验区财政金融局"
        assert local_deadlines(session) == {agencies["平潭综合实验区管委会"].id: "02-20"}


def test_an_alias_belongs_to_one_agency(sqlite: str) -> None:  # noqa: ARG001, F811
    with store.session_scope() as session:
        import_sites(session, parse_yaml(GOOD, "a.yaml"))
    clash = "agencies:\n  - name: 另一个局\n    aliases: [财政金融局]\n    lists: [http://x.gov.cn/]\n"
    with pytest.raises(RegistryError) as caught, store.session_scope() as session:
        import_sites(session, parse_yaml(clash, "b.yaml"))
    assert caught.value.problems == ["b.yaml:2：别名“财政金融局”已属于另一个机关"]
    with store.session_scope() as session:  # rolled back: nothing of b.yaml was imported
        assert agency_by_name(session, "另一个局") is None
