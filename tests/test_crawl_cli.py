"""The registry and demo commands against the demo portals: import, list, check, discover, demo serve."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from crawl_support import REPORTS, demo_sites, fast_args, gk, sqlite_store, write_registry

from audit.demo.portals import build, list_path
from audit.demo.server import Portals


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list, Portals, Path]]:
    for _ in sqlite_store(tmp_path, monkeypatch):
        sites = demo_sites()[:3]
        build(sites, tmp_path / "portals")
        portals = Portals(sites, tmp_path / "portals")
        try:
            yield sites, portals, write_registry(tmp_path / "sites.yaml", sites, portals)
        finally:
            portals.close()


def test_import_list_and_check(served, tmp_path: Path) -> None:  # noqa: ANN001
    sites, portals, registry = served
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "agencies:\n  - name: 某局\n    lists: [http://a.gov.cn/]\n    colour: red\n", encoding="utf-8"
    )
    result = gk("sites", "import", str(bad), code=2)
    assert "第4行：未知字段“colour”" in result

    gk("sites", "import", str(registry))
    listed = [json.loads(line) for line in gk("sites", "list", "--json").splitlines()]
    assert [x["name"] for x in listed] == sorted(s.agency for s in sites)
    assert all(x["lists_read_on"] is None for x in listed)
    assert "尚未读取" in gk("sites", "list")

    out = gk("sites", "check", *fast_args())
    assert out.count("✓") == 3, out
    assert "年报链接 1 个（年度 2023）" in out  # one report per list page, the next page holds the other
    assert "共 2 页" in out
    lines = [
        json.loads(x)
        for x in gk("sites", "check", "--agency", "中卫市财政局", "--json", *fast_args()).splitlines()
    ]
    assert [(x["agency"], x["status"], x["years"]) for x in lines] == [("中卫市财政局", 200, [2023])]


def test_check_says_what_is_wrong(served, tmp_path: Path) -> None:  # noqa: ANN001
    _, portals, _ = served
    wrong = tmp_path / "wrong.yaml"
    base = portals.base("site1")
    wrong.write_text(
        f"agencies:\n  - name: 某局\n    lists: ['{base}/nosuch/index.html', '{base}/gk/guide.html', '{base}/search/x.html']\n",
        encoding="utf-8",
    )
    out = gk("sites", "check", "--sites", str(wrong), *fast_args(), code=1)
    assert "nosuch/index.html：无法读取（HTTP 404）" in out
    assert "gk/guide.html：无法读取（HTTP 404）" in out or "没有找到年报链接" in out
    assert "search/x.html：未抓取（被 robots.txt 禁止" in out


def test_discover_finds_the_column_from_the_home_page(served, tmp_path: Path) -> None:  # noqa: ANN001
    sites, portals, _ = served
    homes = [portals.base(s.slug) + "/" for s in sites]
    out = tmp_path / "proposed.yaml"
    gk("sites", "discover", *homes, "--out", str(out), *fast_args())
    text = out.read_text(encoding="utf-8")
    proposed = yaml.safe_load(text)["agencies"]
    assert [p["lists"] for p in proposed] == [[portals.base(s.slug) + _list(s)] for s in sites]
    assert [p["name"] for p in proposed] == [s.agency for s in sites]  # from the home page's title
    assert "政府信息公开 › " in text and "年报链接 1 个" in text
    gk("sites", "import", str(out))  # a proposal is a valid registry


def _list(site) -> str:  # noqa: ANN001
    return list_path(site)


def test_crawl_one_agency_and_refuse_an_unknown_one(served) -> None:  # noqa: ANN001
    _, _, registry = served
    assert "没有可抓取的机关" in gk("crawl", code=1)
    gk("sites", "import", str(registry))
    stats = json.loads(gk("crawl", "--agency", "中卫市财政局", "--json", *fast_args()).strip())
    assert (stats["agencies"], stats["new"]) == (1, 2)
    assert "核对机关名称“无此局”" in gk("crawl", "--agency", "无此局", code=1)
    text = gk("crawl", "--agency", "中卫市财政局", *fast_args())
    assert "新增 0 份，变更 0 份" in text and "下载量为上次的" in text


def test_demo_serve_writes_a_registry_of_served_sites(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            [
                {
                    "agency": "中卫市民政局",
                    "year": 2023,
                    "level": "department",
                    "format": "txt",
                    "date": "2024-01-10",
                    "file": str(REPORTS / "clean_dept_2023.txt"),
                },
                {
                    "agency": "中卫市人民政府",
                    "year": 2023,
                    "level": "government",
                    "format": "txt",
                    "date": "2024-03-01",
                    "file": str(REPORTS / "clean_gov_2023.txt"),
                },
            ]
        ),
        encoding="utf-8",
    )
    out = gk(
        "demo",
        "serve",
        "--manifest",
        str(manifest),
        "--root",
        str(tmp_path / "www"),
        "--registry-out",
        str(tmp_path / "r.yaml"),
        "--seconds",
        "0.1",
    )
    assert "中卫市民政局：http://127.0.0.1:" in out
    entries = yaml.safe_load((tmp_path / "r.yaml").read_text(encoding="utf-8"))["agencies"]
    assert [e["name"] for e in entries] == ["中卫市民政局", "中卫市人民政府"]
    assert (
        (tmp_path / "www" / "site2" / "col" / "col1234" / "index.html").read_bytes().decode("gbk")
    )  # 2nd site GBK
