"""`seoul-assist admin`: accounts and collection readers from the shell, for the
operator (whoever can run commands on the server host)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from .common import settings_from

#: Who the audit log names for what the operator does from the shell.
CLI = "cli"


def register(sub) -> None:
    p = sub.add_parser("admin", help="사용자와 컬렉션 권한 관리")
    cmds = p.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    c = cmds.add_parser("create-user", help="사용자를 만듭니다 (첫 관리자도 이것으로)")
    c.add_argument("username")
    c.add_argument("--role", choices=["admin", "staff", "evaluator"], default="staff")
    c.add_argument("--group", action="append", default=[], help="문서 접근 그룹 (여러 번 가능)")
    c.add_argument("--display-name", default="")
    c.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력에서 읽음")
    c.set_defaults(handler=create_user)
    k = cmds.add_parser("api-key", help="사용자의 API 키를 만듭니다 (OpenAI 호환 API용)")
    k.add_argument("username")
    k.add_argument("--name", default="default")
    k.set_defaults(handler=api_key)
    r = cmds.add_parser("readers", help="컬렉션을 읽을 수 있는 그룹을 보거나 정합니다")
    r.add_argument("collection", nargs="?")
    r.add_argument("--set", nargs="*", metavar="READER",
                   help="'*' = 로그인한 모든 사용자, 'role:evaluator' = 역할, 그 밖에는 그룹 이름")
    r.set_defaults(handler=readers)
    u = cmds.add_parser("users", help="사용자 목록")
    u.set_defaults(handler=users)
    lock = cmds.add_parser("unlock", help="틀린 비밀번호로 잠긴 로그인을 풉니다")
    lock.add_argument("username", nargs="?", help="계정 (없으면 --address만)")
    lock.add_argument("--address", help="잠긴 클라이언트 주소도 풂")
    lock.set_defaults(handler=unlock)
    purge = cmds.add_parser("purge-history", help="보관 기간(server.history_days)이 지난 대화를 지금 삭제합니다")
    purge.add_argument("--days", type=int, help="이 날짜 수보다 오래된 대화 (기본: 설정값)")
    purge.set_defaults(handler=purge_history)


def _services(args: argparse.Namespace):
    from api.services.container import Services

    return Services(settings_from(args))


def create_user(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("비밀번호: ")
        if password != getpass.getpass("비밀번호 확인: "):
            print("오류: 비밀번호가 서로 다릅니다", file=sys.stderr)
            return 2
    svc = _services(args)
    try:
        user = svc.admin.create_user(CLI, args.username, password, args.role, display_name=args.display_name,
                                     groups=args.group)
        print(f"사용자를 만들었습니다: {user['username']} ({user['role']})")
        return 0
    finally:
        svc.close()


def api_key(args: argparse.Namespace) -> int:
    svc = _services(args)
    try:
        key = svc.admin.create_api_key(CLI, args.username, args.name)
        print(key)
        return 0
    finally:
        svc.close()


def readers(args: argparse.Namespace) -> int:
    svc = _services(args)
    try:
        if args.set is not None:
            if not args.collection:
                print("오류: 컬렉션 이름이 필요합니다", file=sys.stderr)
                return 2
            svc.admin.set_readers(CLI, args.collection, args.set)
        current = svc.accounts.readers()
        if args.collection:
            current = {args.collection: current.get(args.collection, [])}
        print(json.dumps(current, ensure_ascii=False, indent=2))
        return 0
    finally:
        svc.close()


def users(args: argparse.Namespace) -> int:
    svc = _services(args)
    try:
        for user in svc.accounts.list_users():
            state = "" if user["active"] else " (중지)"
            print(f"{user['username']}\t{user['role']}\t{','.join(user['groups'])}{state}")
        return 0
    finally:
        svc.close()


def unlock(args: argparse.Namespace) -> int:
    if not args.username and not args.address:
        print("오류: 계정 이름이나 --address가 필요합니다", file=sys.stderr)
        return 2
    svc = _services(args)
    try:
        if args.username:
            was_locked = svc.admin.unlock_user(CLI, args.username)
            print(f"계정 {args.username}: " + ("잠금을 풀었습니다" if was_locked else "잠겨 있지 않습니다"))
        if args.address:
            was_locked = svc.admin.unlock_address(CLI, args.address)
            print(f"주소 {args.address}: " + ("잠금을 풀었습니다" if was_locked else "잠겨 있지 않습니다"))
        return 0
    finally:
        svc.close()


def purge_history(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 1:
        print("오류: --days는 1 이상이어야 합니다", file=sys.stderr)
        return 2
    svc = _services(args)
    try:
        days = args.days if args.days is not None else svc.history.retention_days
        if days <= 0:
            print("보관 기간이 0(영구 보관)으로 설정되어 삭제하지 않았습니다. --days로 정하세요")
            return 0
        purged = svc.admin.purge_history(CLI, days)
        print(f"{days}일이 지난 대화 {purged.conversations}개, 메시지 {purged.messages}개를 삭제했습니다")
        return 0
    finally:
        svc.close()
