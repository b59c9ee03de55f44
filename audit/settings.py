"""Settings: one object read from ``GKAUDIT_*`` environment variables and an optional TOML file.

Every setting is a field of :class:`Settings` with its default and a description; the README's
settings table lists each one (a meta-test fails when one is missing). Environment variables win
over the TOML file (``GKAUDIT_CONFIG``, default ``gkaudit.toml`` in the working directory when it
exists), which wins over the defaults. A bad value raises :class:`SettingsError` whose message is one
Chinese line naming the setting, never a traceback.

To add a setting: add a field here (with ``description``), read it through :func:`get_settings`,
and add a row to the README's settings table.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DEADLINE_DAYS = {"error": 20, "warning": 30, "info": 0}
CONFIG_ENV = "GKAUDIT_CONFIG"


class SettingsError(ValueError):
    """A setting has a value the product cannot use (message in Chinese, names the setting)."""


def _config_file() -> Path | None:
    """Return the TOML settings file: ``GKAUDIT_CONFIG`` or ``./gkaudit.toml`` when it exists."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    default = Path("gkaudit.toml")
    return default if default.is_file() else None


class Settings(BaseSettings):
    """The product's settings (environment variable = ``GKAUDIT_`` + field name in capitals)."""

    model_config = SettingsConfigDict(env_prefix="GKAUDIT_", extra="ignore", validate_default=True)

    data: Path = Field(Path("data"), description="数据目录（数据库、原件存档、日志）")
    database_url: str | None = Field(
        None,
        validation_alias="DATABASE_URL",
        description="数据库；PostgreSQL 用 postgresql+psycopg://用户@主机/库",
    )
    today: date | None = Field(None, description="固定“今天”（测试与复核用），YYYY-MM-DD")
    deadline_days: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_DEADLINE_DAYS),
        description="各级别问题的整改工作日数，如 error=20,warning=30,info=0",
    )
    doc_converter: Literal["auto", "soffice", "antiword"] = Field(
        "auto", description=".doc/.wps 的转换器：auto、soffice 或 antiword"
    )

    jobs: int | None = Field(
        None, ge=1, description="审核时并行解析和检查的工作进程数（空则为本机 CPU 核数；1 为单进程）"
    )

    crawl_user_agent: str = Field(
        "gkaudit/0.1 (+annual government-information-disclosure report audit; "
        "provincial Office of Government Affairs Openness)",
        description="抓取时的 User-Agent（应写明本办名称和联系方式）",
    )
    crawl_timeout: int = Field(30, ge=1, description="抓取时单个请求的超时（秒）")
    crawl_maxsize: int = Field(50 * 2**20, ge=1024, description="抓取时单个响应的最大字节数")
    crawl_log: Path | None = Field(None, description="把抓取子进程的日志追加到该文件（空则不保存）")
    schedule: str = Field(
        "0 2 * * *",
        description="定时运行的时间（cron：分 时 日 月 周，如 0 2 * * * 为每天 2:00；6 段时第一段为秒）",
    )
    schedule_timezone: str = Field("Asia/Shanghai", description="定时运行所用的时区")
    misfire_grace: int = Field(
        6 * 3600, ge=1, description="错过定时（停机、重启）后多长时间内仍补运行一次（秒）；多次错过只补一次"
    )
    crawl_time_limit: int = Field(
        4 * 3600, ge=10, description="每次运行（gkaudit run、定时任务）中抓取的总时限（秒）"
    )
    crawl_redis: str | None = Field(
        None,
        description="分布式抓取：共享抓取队列的 Redis（如 redis://127.0.0.1:6379/0），每晚以日期为队列名；空则单机抓取",
    )
    lock_stale: int = Field(
        600, ge=1, description="运行锁的心跳超过多少秒未更新即视为失效（持有者已中断），可由下次运行接管"
    )
    out: Path = Field(Path("reports_out"), description="gkaudit run 和定时任务输出整改通知、清单和看板的目录")
    rules_overlay: Path | None = Field(
        None,
        description="本地规则包目录（pack.yaml、catalog/、cases/）：在规则目录之上增加规则、调整级别",
    )
    office_name: str = Field("某某省人民政府办公厅", description="发文机关（红头、署名）")
    office_unit: str = Field("省政务公开办", description="承办单位（通知正文、看板）")
    office_prefix: str = Field("某政公开", description="文号前缀（〔年份〕之前的部分）")
    office_contact: str = Field("政务公开办", description="联系人")
    office_phone: str = Field("", description="联系电话（空则不印）")
    office_copy_to: str = Field("", description="版记中的抄送机关（空则不印）")

    @field_validator(
        "office_name", "office_unit", "office_prefix", "office_contact", "office_phone", "office_copy_to"
    )
    @classmethod
    def _one_line(cls, value: str) -> str:
        """Fold whitespace (a newline in a setting cannot break the 红头 or forge a line)."""
        return " ".join(value.split())

    @field_validator("schedule_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        """Accept only a time zone of the IANA database (``Asia/Shanghai``)."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("不是已知的时区名称（如 Asia/Shanghai）") from None
        return value

    @field_validator("today", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        """Accept only ``YYYY-MM-DD`` for a day (``2026/12/01`` is refused, not guessed)."""
        if isinstance(value, str) and value.strip() and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("日期格式应为 YYYY-MM-DD")
        return value or None

    @field_validator("deadline_days", mode="before")
    @classmethod
    def _severity_days(cls, value: Any) -> Any:
        """Read ``error=20,warning=30,info=0`` (unknown severities and bad numbers refused)."""
        if isinstance(value, dict):
            raw = ",".join(f"{k}={v}" for k, v in value.items())
        else:
            raw = str(value or "")
        days = dict(DEFAULT_DEADLINE_DAYS)
        for part in filter(None, (p.strip() for p in raw.split(","))):
            key, sep, number = (s.strip() for s in part.partition("="))
            if not sep or key not in DEFAULT_DEADLINE_DAYS or not number.isdigit():
                raise ValueError(f"“{part}”应写成 error=20,warning=30,info=0")
            days[key] = int(number)
        return days

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read, in order of precedence: arguments, environment, the TOML file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _config_file()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)


def env_name(field: str) -> str:
    """Return the environment variable of a settings field (``today`` → ``GKAUDIT_TODAY``)."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    return alias if isinstance(alias, str) else f"GKAUDIT_{field.upper()}"


_REASONS = {
    "literal_error": "应为 {expected} 之一",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
}


def _reason(err: Any) -> str:
    """Return why a value was refused, in Chinese (pydantic's English messages translated)."""
    template = _REASONS.get(err.get("type", ""))
    if template:
        ctx = {
            k: str(v).replace("'", "").replace(" or ", "、").replace(", ", "、")
            for k, v in (err.get("ctx") or {}).items()
        }
        try:
            return template.format(**ctx)
        except KeyError:
            pass
    return str(err.get("msg", "")).removeprefix("Value error, ")


def _describe(exc: ValidationError) -> str:
    """Return one Chinese line naming the settings that failed and why."""
    parts = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        name = env_name(field) if field in Settings.model_fields else field
        why = _reason(err)
        value = err.get("input")
        shown = f"“{value}”" if isinstance(value, str | int) else ""
        parts.append(f"设置 {name} 的值{shown}无效：{why}")
    return "；".join(parts)


_CACHE: dict[object, Settings] = {}


def get_settings() -> Settings:
    """Return the settings for the current environment (re-read when a relevant variable changes)."""
    env = tuple(
        sorted((k, v) for k, v in os.environ.items() if k.startswith("GKAUDIT_") or k == "DATABASE_URL")
    )
    toml = _config_file()
    try:
        stamp = (str(toml.resolve()), toml.stat().st_mtime_ns) if toml else None
    except OSError:
        stamp = (str(toml), None)
    key = (env, stamp)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        settings = Settings()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except (OSError, ValueError) as exc:  # an unreadable or malformed TOML file
        raise SettingsError(f"设置文件 {_config_file()} 无法读取：{exc}") from None
    _CACHE.clear()
    _CACHE[key] = settings
    return settings
