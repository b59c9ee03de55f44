"""The agency registry (``--sites FILE``): the roster of agencies and where their 年报 columns are.

A registry is YAML (``agencies:`` a list of entries, docs/cli.md) or CSV (one entry per row, the
same keys as columns; list values separated by ``;`` or spaces). It is validated on load: every
problem is reported in Chinese with its file and line, and unknown keys are refused, not ignored.
:func:`import_sites` makes the entries part of the store (the ``Agency`` rows and the crawler's
``RegistryEntry`` / ``AgencyAlias`` rows), so that every registered agency is on the roster of
TL02 even before anything of it has been crawled.

Hosts: only the hosts of the ``lists`` URLs and those named under ``hosts:`` are crawled. A host
named under ``hosts:``, or written as an IP address in a list URL, is *named explicitly*: only such
a host may resolve to a private, loopback or link-local address (the crawler's SSRF guard).

To add a key: add it to :data:`KEYS` with its Chinese description, validate it in
:func:`_validate`, store it in :func:`import_sites` (a column of ``RegistryEntry`` and a
migration), and test it in tests/test_registry.py.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from sqlmodel import Session, select

from audit.store import tables as m
from audit.store.archive import get_agency
from crawler.profiles import PROFILES, SELECTOR_KEYS

KEYS = {
    "name": "机关名称（与报告中印制的一致）",
    "aliases": "曾用名或报告中印制的其他名称",
    "region": "行政区划代码",
    "level": "机关类型：government 或 department",
    "parent": "上级机关",
    "website": "网站首页",
    "lists": "年报栏目的列表页网址",
    "hosts": "另外允许抓取的主机（附件服务器等）",
    "deadline": "本地公布期限 MM-DD（早于法定期限时适用）",
    "profile": "站点类型：" + "、".join(PROFILES),
    "selectors": "覆盖站点类型的选择器：" + "、".join(SELECTOR_KEYS),
}
LIST_KEYS = ("aliases", "lists", "hosts")
LEVELS = ("government", "department")
_SPLIT = re.compile(r"[;；,，|\s]+")
_DEADLINE = re.compile(r"^(\d{2})-(\d{2})$")


class RegistryError(ValueError):
    """A registry that cannot be used; ``problems`` holds one Chinese line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Site:
    """One validated registry entry: an agency and where its 年报 column is."""

    name: str
    lists: list[str]
    region: str | None = None
    level: str | None = None
    parent: str | None = None
    website: str | None = None
    aliases: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    deadline: str | None = None
    profile: str = "generic"
    selectors: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # "FILE:LINE"

    def allowed_hosts(self) -> set[str]:
        """Return the hosts the crawler may fetch from for this agency (``host`` or ``host:port``)."""
        return {host_key(u) for u in self.lists} | {h.lower() for h in self.hosts}

    def explicit_hosts(self) -> set[str]:
        """Return the hosts named explicitly: under ``hosts:``, or as an IP address in a list URL."""
        literal = {host_key(u) for u in self.lists if is_ip(urlsplit(u).hostname or "")}
        return literal | {h.lower() for h in self.hosts}

    def local_deadline(self, year: int) -> date | None:
        """Return the local publication deadline for the report of ``year`` (in ``year + 1``)."""
        return deadline_on(self.deadline, year)

    def as_dict(self) -> dict:
        """Return the entry as a JSON-ready dict (what the crawler process is given)."""
        return {k: getattr(self, k) for k in (*KEYS, "source")}


def deadline_on(text: str | None, year: int) -> date | None:
    """Return the date of a ``MM-DD`` deadline for the report of ``year`` (falls in ``year + 1``)."""
    if not text:
        return None
    month, day = (int(x) for x in text.split("-"))
    return date(year + 1, month, day)


def is_ip(host: str) -> bool:
    """Return whether ``host`` is an IP address (v4 or v6) rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def host_key(url: str) -> str:
    """Return the host of ``url`` as the registry names it: ``host``, or ``host:port`` with a port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def host_matches(url: str, hosts: set[str]) -> bool:
    """Return whether ``url``'s host is one of ``hosts`` (an entry without a port allows any port)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return False
    return host in hosts or (port is not None and f"{host}:{port}" in hosts)


# --------------------------------------------------------------------------- loading


def load_registry(path: Path) -> list[Site]:
    """Read and validate a registry file (YAML, or CSV by its extension); raise :class:`RegistryError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError([f"{path}：无法读取（{exc}）"]) from exc
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str = "registry") -> list[Site]:
    """Validate a YAML registry; every problem is reported with its line."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行：" if mark is not None else ""
        raise RegistryError([f"{source} {where}YAML 格式错误（{getattr(exc, 'problem', exc)}）"]) from exc
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode):
        raise RegistryError([f"{source}：顶层应为 agencies: 列表"])
    entries: list[tuple[int, dict, dict[str, int]]] = []
    problems: list[str] = []
    for key_node, value_node in root.value:
        if key_node.value != "agencies":
            problems.append(
                f"{source} 第{key_node.start_mark.line + 1}行：未知字段“{key_node.value}”（应为 agencies）"
            )
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            problems.append(f"{source} 第{value_node.start_mark.line + 1}行：agencies 应为列表")
            continue
        for item in value_node.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                problems.append(f"{source} 第{line}行：每个机关应为“字段: 值”的映射")
                continue
            raw: dict = {}
            lines: dict[str, int] = {}
            for k, v in item.value:
                raw[str(k.value)] = yaml.SafeLoader(yaml.serialize(v)).get_single_data()
                lines[str(k.value)] = k.start_mark.line + 1
            entries.append((line, raw, lines))
    if not entries and not problems:
        problems.append(f"{source}：没有任何机关（agencies 为空）")
    return _finish(entries, source, problems)


def parse_csv(text: str, source: str = "registry") -> list[Site]:
    """Validate a CSV registry (header row of keys; list values separated by ``;`` or spaces)."""
    reader = csv.DictReader(io.StringIO(text))
    problems = [
        f"{source} 第1行：未知列“{c}”（可用：{'、'.join(KEYS)}）"
        for c in reader.fieldnames or []
        if c not in KEYS and c not in SELECTOR_KEYS
    ]
    entries: list[tuple[int, dict, dict[str, int]]] = []
    for row in reader:
        raw: dict = {}
        for key, value in row.items():
            if (
                key is None
                or value is None
                or not value.strip()
                or (key not in KEYS and key not in SELECTOR_KEYS)
            ):
                continue
            value = value.strip()
            if key in SELECTOR_KEYS:
                raw.setdefault("selectors", {})[key] = value
            else:
                raw[key] = [v for v in _SPLIT.split(value) if v] if key in LIST_KEYS else value
        entries.append((reader.line_num, raw, {}))
    if not entries and not problems:
        problems.append(f"{source}：没有任何机关")
    return _finish(entries, source, problems)


def _finish(entries: list[tuple[int, dict, dict[str, int]]], source: str, problems: list[str]) -> list[Site]:
    """Validate every entry and the registry as a whole (names and aliases unique)."""
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for line, raw, lines in entries:
        where = f"{source} 第{line}行"
        site, errors = _validate(
            raw, lambda key, line=line, lines=lines: f"{source} 第{lines.get(key, line)}行"
        )
        problems += errors
        if site is None:
            continue
        site.source = f"{source}:{line}"
        for name in (site.name, *site.aliases):
            if name in seen:
                problems.append(f"{where}：名称“{name}”与第{seen[name]}行重复")
            seen[name] = line
        sites.append(site)
    if problems:
        raise RegistryError(problems)
    return sites


def _strings(value: object) -> list[str] | None:
    """Return a list of non-empty strings, or None when ``value`` is not one (a single string is a list)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        return None
    return [str(v).strip() for v in value if str(v).strip()]


def _validate(raw: dict, at: Callable[[str], str]) -> tuple[Site | None, list[str]]:
    """Return the entry as a :class:`Site` (or None) and its problems, in Chinese (``at(key)``: where)."""
    problems = [f"{at(k)}：未知字段“{k}”（可用字段：{'、'.join(KEYS)}）" for k in raw if k not in KEYS]
    name = str(raw.get("name") or "").strip()
    if not name:
        problems.append(f"{at('name')}：缺少 name（机关名称）")
    lists = _strings(raw.get("lists", []))
    if lists is None or not lists:
        problems.append(f"{at('lists')}：lists 应为至少一个年报栏目网址的列表")
        lists = []
    for url in lists:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{at('lists')}：网址无效“{url}”（应以 http:// 或 https:// 开头）")
    lists_of = {key: _strings(raw.get(key, [])) for key in ("aliases", "hosts")}
    for key, value in lists_of.items():
        if value is None:
            problems.append(f"{at(key)}：{key} 应为字符串列表")
    for host in lists_of["hosts"] or []:
        if "/" in host or not urlsplit(f"//{host}").hostname:
            problems.append(f"{at('hosts')}：hosts 中的主机无效“{host}”（只写主机名或 主机名:端口）")
    level = raw.get("level")
    if level is not None and level not in LEVELS:
        problems.append(f"{at('level')}：level 只能是 government 或 department，而不是“{level}”")
    region = raw.get("region")
    if region is not None and not re.fullmatch(r"\d{6}(\d{6})?", str(region)):
        problems.append(f"{at('region')}：region 应为 6 位或 12 位行政区划代码，而不是“{region}”")
    deadline = raw.get("deadline")
    if deadline is not None:
        match = _DEADLINE.match(str(deadline))
        try:
            ok = match is not None and date(2024, int(match.group(1)), int(match.group(2))) is not None
        except ValueError:
            ok = False
        if not ok:
            problems.append(f'{at("deadline")}：deadline 格式应为 MM-DD（如 "02-20"），而不是“{deadline}”')
    profile = raw.get("profile", "generic")
    if profile not in PROFILES:
        problems.append(f"{at('profile')}：未知站点类型“{profile}”（可用：{'、'.join(PROFILES)}）")
    selectors = raw.get("selectors") or {}
    if not isinstance(selectors, dict):
        problems.append(f"{at('selectors')}：selectors 应为“名称: 选择器”的映射")
        selectors = {}
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            problems.append(
                f"{at('selectors')}：selectors 中未知字段“{key}”（可用：{'、'.join(SELECTOR_KEYS)}）"
            )
        elif not isinstance(value, str):
            problems.append(f"{at('selectors')}：selectors.{key} 应为字符串")
    if problems:
        return None, problems
    site = Site(
        name=name,
        lists=lists,
        region=str(region) if region is not None else None,
        level=level,
        parent=str(raw["parent"]).strip() if raw.get("parent") else None,
        website=str(raw["website"]).strip() if raw.get("website") else None,
        aliases=[a for a in lists_of["aliases"] or [] if a != name],
        hosts=lists_of["hosts"] or [],
        deadline=str(deadline) if deadline is not None else None,
        profile=profile,
        selectors=dict(selectors),
    )
    return site, []


# --------------------------------------------------------------------------- the store


@dataclass
class ImportResult:
    """What an import did: agencies created, entries updated, entries deactivated."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0


def import_sites(session: Session, sites: list[Site], *, replace: bool = False) -> ImportResult:
    """Make the registry part of the store: agencies, registry entries and aliases (one transaction).

    With ``replace``, entries of agencies the registry no longer lists are deactivated (their
    agencies, documents and findings stay). An alias already used by another agency is an error.
    """
    result = ImportResult()
    kept: set[int] = set()
    problems: list[str] = []
    for site in sites:
        existing = session.exec(select(m.Agency).where(m.Agency.name == site.name)).first()
        agency = get_agency(
            session, site.name, level=site.level, region=site.region, parent=site.parent, website=site.website
        )
        kept.add(agency.id)  # type: ignore[arg-type]
        entry = session.exec(select(m.RegistryEntry).where(m.RegistryEntry.agency_id == agency.id)).first()
        if existing is None or entry is None:
            result.created += 1
        else:
            result.updated += 1
        entry = entry or m.RegistryEntry(agency_id=agency.id)  # type: ignore[arg-type]
        entry.lists, entry.hosts, entry.aliases = list(site.lists), list(site.hosts), list(site.aliases)
        entry.selectors, entry.profile, entry.deadline = dict(site.selectors), site.profile, site.deadline
        entry.source, entry.active, entry.updated_at = site.source, True, m.utcnow()
        session.add(entry)
        for old in session.exec(select(m.AgencyAlias).where(m.AgencyAlias.agency_id == agency.id)).all():
            session.delete(old)
        session.flush()
        for alias in site.aliases:
            other = session.exec(select(m.AgencyAlias).where(m.AgencyAlias.name == alias)).first()
            clash = session.exec(select(m.Agency).where(m.Agency.name == alias)).first()
            if other is not None or (clash is not None and clash.id != agency.id):
                problems.append(f"{site.source}：别名“{alias}”已属于另一个机关")
                continue
            session.add(m.AgencyAlias(agency_id=agency.id, name=alias))  # type: ignore[arg-type]
        session.flush()
    if problems:
        raise RegistryError(problems)
    if replace:
        for entry in session.exec(select(m.RegistryEntry).where(m.RegistryEntry.active == True)).all():  # noqa: E712
            if entry.agency_id not in kept:
                entry.active = False
                session.add(entry)
                result.deactivated += 1
    session.flush()
    return result


def stored_sites(session: Session, agency: str | None = None) -> list[Site]:
    """Return the active registry entries of the store as :class:`Site` (optionally one agency)."""
    stmt = (
        select(m.RegistryEntry, m.Agency)
        .join(m.Agency, m.Agency.id == m.RegistryEntry.agency_id)  # type: ignore[arg-type]
        .where(m.RegistryEntry.active == True)  # noqa: E712
        .order_by(m.Agency.name)
    )
    sites = []
    for entry, owner in session.exec(stmt).all():
        if agency and agency not in (owner.name, *entry.aliases):
            continue
        sites.append(
            Site(
                name=owner.name,
                lists=list(entry.lists),
                region=owner.region,
                level=owner.level,
                parent=owner.parent,
                website=owner.website,
                aliases=list(entry.aliases),
                hosts=list(entry.hosts),
                deadline=entry.deadline,
                profile=entry.profile,
                selectors=dict(entry.selectors),
                source=entry.source,
            )
        )
    return sites
