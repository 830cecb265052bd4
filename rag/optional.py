"""Optional extras of the package: the one message that says which extra to install when a
module that needs one is imported without it."""

from __future__ import annotations


def missing_extra(package: str, extra: str) -> ImportError:
    return ImportError(f"{package}가 설치되어 있지 않습니다: pip install 'seoul-assist[{extra}]'")
