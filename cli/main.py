"""`seoul-assist`: one module per command group; domain errors become messages here only."""

from __future__ import annotations

import argparse
import logging
import sys

from rag.errors import SeoulAssistError

from . import (admin_cmd, ask_cmd, assistants_cmd, demo_cmd, eval_cmd, general_cmd, ingest_cmd, metabolic_cmd, rfp_cmd,
               search_cmd, serve_cmd, status_cmd)

COMMANDS = (serve_cmd, ingest_cmd, search_cmd, ask_cmd, assistants_cmd, status_cmd, eval_cmd, demo_cmd, admin_cmd,
            general_cmd, metabolic_cmd, rfp_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seoul-assist", description="서울시 공공부문 AI 업무 도우미")
    parser.add_argument("--profile", help="설정 프로필: local, prod, test (기본: $SEOUL_ASSIST_PROFILE 또는 local)")
    parser.add_argument("--data-dir", help="색인과 캐시를 둘 폴더 (기본: settings의 data_dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="자세한 로그")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except SeoulAssistError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("중단되었습니다. 이미 색인된 문서는 그대로 남아 있고, 다시 실행하면 이어서 진행합니다.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
