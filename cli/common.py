"""Settings and context for a command, built once from the global options, and reading
the text files commands take."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rag.config import Settings, load_settings
from appcontext import AppContext


def settings_from(args: argparse.Namespace, **overrides) -> Settings:
    if getattr(args, "data_dir", None) and "data_dir" not in overrides:
        overrides["data_dir"] = args.data_dir
    return load_settings(args.profile, **overrides)


def context_from(args: argparse.Namespace, **overrides) -> AppContext:
    return AppContext(settings_from(args, **overrides))


def show_progress() -> bool:
    return sys.stderr.isatty()


def read_text_file(path: Path, error: Callable[[str], Exception]) -> str:
    """The UTF-8 text of `path`; a missing, undecodable or unreadable file raises
    `error(message)`, the message in Korean naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"파일 {path}이(가) 없습니다") from None
    except UnicodeDecodeError:
        raise error(f"파일 {path}을(를) UTF-8 텍스트로 읽을 수 없습니다") from None
    except OSError as exc:
        raise error(f"파일 {path}을(를) 읽을 수 없습니다: {exc.strerror}") from None
