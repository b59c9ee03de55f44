"""gkaudit: audits 政府信息公开工作年度报告 (annual government-information-disclosure reports)."""

from importlib.metadata import PackageNotFoundError, version

try:
    PRODUCT_VERSION = version("gkaudit")
except PackageNotFoundError:  # run from a source tree that was never installed
    PRODUCT_VERSION = "0+unknown"
__version__ = PRODUCT_VERSION
