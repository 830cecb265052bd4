"""Settings and context for a command, built once from the global options."""

from __future__ import annotations

import argparse
import sys

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
