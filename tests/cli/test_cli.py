"""The `seoul-assist` commands, run in-process with the test profile and a temp data dir."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
import subprocess
import sys
from pathlib import Path

import pytest


SCRIPT = Path(sys.executable).parent / "seoul-assist"




def test_ingest_then_search_json_returns_the_document(run, sample_corpus: Path):
    folder = sample_corpus / "statutes/childcare/테스트법"

    code, out, _ = run("ingest", str(folder), "--collection", "general")
    assert code == 0
    assert "[general] 추가 2, 변경 0, 그대로 0, 삭제 0, 실패 0" in out
    assert "[general] 임베딩 4개 추가, 전체 4/4 (100%)" in out

    code, out, _ = run("search", "급식 식단은 누가 작성하나요?", "--json", "-k", "3")
    assert code == 0
    results = json.loads(out)
    assert results[0]["source"] == "법률.md"
    assert results[0]["citation"] == "테스트법 제4조"
    assert results[0]["rank"] == 1
    assert "영양사가 작성한 식단" in results[0]["text"]
    assert all(r["version"] == "current" for r in results)


def test_search_include_previous_and_plain_output(run, sample_corpus: Path):
    run("ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--no-embed")

    _, out, _ = run("search", "녹화 영상 보관", "--json", "--include-previous", "--mode", "sparse")
    assert "법률.prev_in_force.md" in [r["source"] for r in json.loads(out)]

    code, out, _ = run("search", "녹화 영상 보관", "--mode", "sparse")
    assert code == 0
    assert " 1. [" in out and "테스트법 제3조  (법률.md)" in out


def test_search_of_an_empty_index_says_so(run):
    code, out, _ = run("search", "아무 질문")

    assert code == 0
    assert "관련 문서를 찾지 못했습니다" in out


def test_ingest_of_unknown_extension_fails_with_exit_1_naming_the_file(run, tmp_path: Path):
    odd = tmp_path / "회의록.xyz"
    odd.write_text("내용", encoding="utf-8")

    code, out, _ = run("ingest", str(odd))

    assert code == 1
    assert f"- {odd}: 지원하지 않는 파일 형식입니다 (.xyz)" in out
    assert "실패 1" in out


def test_ingest_of_a_missing_path_fails(run, tmp_path: Path):
    code, out, _ = run("ingest", str(tmp_path / "없는파일.md"))

    assert code == 1
    assert "파일이나 폴더가 없습니다" in out


def test_ingest_single_file_uses_its_name_as_source(run, sample_corpus: Path):
    path = sample_corpus / "metabolic/parsed/테스트 대사증후군 안내/part-01.md"

    assert run("ingest", str(path), "--collection", "general")[0] == 0

    _, out, _ = run("search", "공복 혈당은 언제 재요?", "--json")
    assert json.loads(out)[0]["source"] == "part-01.md"


def test_status_lists_every_assistant(run, sample_corpus: Path):
    run("ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--collection", "general", "--no-embed")

    code, out, _ = run("status")

    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 5
    assert "general    범용 AI 업무매뉴얼: 문서 2개, 청크 4개, 임베딩 0%" in lines
    assert "rfp        제안요청서 생성 AI: 문서 0개, 청크 0개, 임베딩 —" in lines
    # The RFP drafter's past notices are a collection of their own, listed under it.
    below = lines[lines.index("rfp        제안요청서 생성 AI: 문서 0개, 청크 0개, 임베딩 —") + 1]
    assert below.startswith(" ") and below.strip() == "└ 예시 rfp_examples: 문서 0개, 청크 0개, 임베딩 —"


def test_eval_run_retrieval_only(run, sample_corpus: Path, tmp_path: Path):
    suite = tmp_path / "suite.jsonl"
    suite.write_text(json.dumps({
        "id": "cc-01", "assistant": "childcare", "question": "급식 식단은 누가 작성하나요?", "answerable": True,
        "evidence": [{"source": "statutes/childcare/테스트법/법률.md", "quote": "영양사가 작성한 식단"}],
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    out_dir = tmp_path / "result"

    code, out, _ = run("eval", "run", "--suite", str(suite), "--corpus", str(sample_corpus), "--out", str(out_dir),
                       "--retrieval-only")

    assert code == 0
    assert out.startswith("문항 수 (답변 가능 / 전체)")
    assert "검색 hit@1 / hit@5 / hit@10 / MRR@10 / nDCG@10  1.000 / 1.000 / 1.000 / 1.000 / 1.000\n" in out
    assert json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))["n"] == 1
    assert len((out_dir / "cases.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_eval_run_uses_its_own_index_apart_from_the_everyday_one(run, sample_corpus: Path, tmp_path: Path):
    distractor = tmp_path / "other" / "급식안내.md"
    distractor.parent.mkdir()
    distractor.write_text("# 급식 안내\n\n급식 식단은 누가 작성하나요? 영양사가 작성합니다.\n", encoding="utf-8")
    assert run("ingest", str(distractor.parent), "--collection", "childcare")[0] == 0
    suite = tmp_path / "suite.jsonl"
    suite.write_text(json.dumps({"id": "cc-01", "assistant": "childcare", "question": "급식 식단은 누가 작성하나요?",
                                 "answerable": False}, ensure_ascii=False) + "\n", encoding="utf-8")

    code, _, _ = run("eval", "run", "--suite", str(suite), "--corpus", str(sample_corpus), "--out",
                     str(tmp_path / "result"), "--retrieval-only")

    assert code == 0
    case = json.loads((tmp_path / "result" / "cases.jsonl").read_text(encoding="utf-8"))
    assert "급식안내.md" not in [hit["source"] for hit in case["retrieved"]]
    assert (tmp_path / "data" / "eval").is_dir()


def test_eval_run_answers_prints_the_summary_table(run, sample_corpus: Path, tmp_path: Path):
    suite = tmp_path / "suite.jsonl"
    lines = [{"id": f"cc-0{i}", "assistant": "childcare", "question": "급식 식단은 누가 작성하나요?", "answerable": True,
              "reference_answer": "영양사가 작성한 식단에 따라 급식을 제공합니다.",
              "evidence": [{"source": "statutes/childcare/테스트법/법률.md", "quote": "영양사가 작성한 식단"}]}
             for i in (1, 2)]
    suite.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    out_dir = tmp_path / "result"

    code, out, _ = run("eval", "run", "--suite", str(suite), "--corpus", str(sample_corpus), "--out", str(out_dir),
                       "--llm", "extractive", "--limit", "1")

    assert code == 0
    for label in ("검색 hit@1 / hit@5", "토큰 F1", "인용 정밀도 / 재현율", "지어낸 인용", "답변 거절 정밀도 / 재현율 / F1",
                  "첫 응답 TTFT p50 / p95", "전체 응답 p50 / p95"):
        assert label in out
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["llm"]["mode"], metrics["limit"], metrics["n_total"]) == ("extractive", 1, 1)
    assert len((out_dir / "cases.jsonl").read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["eval", "run", "--suite", "s.jsonl", "--corpus", "no-such-folder", "--out", "o"], "오류: 코퍼스 폴더가 없습니다"),
    (["search", "질문", "--assistant", "nobody"], "오류: 알 수 없는 도우미: nobody"),
])
def test_domain_errors_become_exit_2_with_a_message(run, args: list[str], message: str):
    code, out, err = run(*args)

    assert code == 2
    assert err.startswith(message)
    assert "Traceback" not in err


def test_bad_settings_are_exit_2(run, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_RETRIEVAL__TOP_K", "many")

    code, _, err = run("status")

    assert code == 2
    assert err.startswith("오류: 설정 오류 (profile=test)")


def test_console_script_is_installed():
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: seoul-assist")
    for command in ("ingest", "search", "status", "eval", "demo"):
        assert command in result.stdout


def test_ask_streams_the_fake_answer_and_lists_its_sources(run, sample_corpus: Path):
    run("ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--collection", "childcare")

    code, out, _ = run("ask", "녹화된 영상은 며칠 보관하나요?", "--assistant", "childcare", "--llm", "fake")
    assert code == 0
    assert out.index("[문서 발췌]") < out.index("[답변 생성 중]") < out.index("[검증된 답변]")
    assert "60일 이상 보관" in out
    assert "출처:" in out and "[1] 테스트법 제3조" in out

    code, out, _ = run("ask", "녹화된 영상은 며칠 보관하나요?", "--assistant", "childcare",
                       "--llm", "extractive", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["mode"] == "extractive"
    assert answer["citations"][0]["locator"].startswith("제3조")


def test_ask_abstains_when_the_documents_do_not_say(run, sample_corpus: Path):
    run("ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--collection", "childcare")
    code, out, _ = run("ask", "공무원 출장 일비는 하루 얼마인가요?", "--assistant", "childcare", "--llm", "fake")
    assert code == 0
    assert "[답변 없음]" in out and "찾지 못했습니다" in out


def test_demo_indexes_the_samples_and_answers_each_assistant(run):
    code, out, _ = run("demo", "--llm", "fake")
    assert code == 0
    assert out.count("— 답변") == 4
    assert out.count("[검증된 답변]") + out.count("[답변 없음]") == 4
    assert "출처:" in out


@pytest.mark.parametrize("command", ["search", "ask"])
def test_search_and_ask_while_the_server_holds_the_index_say_so(run, sample_corpus: Path, tmp_path: Path,
                                                              command: str):
    from rag.config import load_settings
    from appcontext import AppContext

    run("ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--collection", "childcare", "--no-embed")
    # As `seoul-assist serve` does: the embedded index stays open (and locked) while it runs.
    server = AppContext(load_settings("test", data_dir=tmp_path / "data"))
    try:
        server.collection("childcare")
        code, out, err = run(command, "녹화된 영상은 며칠 보관하나요?", "--assistant", "childcare")
    finally:
        server.close()

    assert code == 2 and "Traceback" not in err
    assert "서버(seoul-assist serve)가 실행 중이라 인덱스를 열 수 없습니다" in err
    assert "/v1/chat/completions" in err and "WouldBlock" not in err


def _server_services(tmp_path: Path):
    """What a running server would hold, on the CLI's data dir."""
    from api.services.container import Services
    from rag.config import load_settings

    return Services(load_settings("test", data_dir=tmp_path / "data"))


def test_admin_unlock_lifts_a_sign_in_lock(run, tmp_path: Path):
    from api.errors import AuthError
    from api.services.login_throttle import LoginLocked

    svc = _server_services(tmp_path)
    try:
        svc.accounts.create_user("kim", "correct-horse-1", "staff")
        for _ in range(5):
            with pytest.raises(AuthError):
                svc.accounts.login("kim", "wrong-password", "10.0.0.7")
        with pytest.raises(LoginLocked):
            svc.accounts.login("kim", "correct-horse-1", "10.0.0.7")

        code, out, _ = run("admin", "unlock", "kim")
        assert code == 0 and out.strip() == "계정 kim: 잠금을 풀었습니다"
        assert svc.accounts.login("kim", "correct-horse-1", "10.0.0.7")[1].username == "kim"
        assert svc.audit.recent(action="login_unlock")[0]["username"] == "cli"
        assert run("admin", "unlock")[0] == 2
    finally:
        svc.close()


def test_admin_purge_history_deletes_conversations_past_the_retention(run, tmp_path: Path):
    from sqlalchemy import update

    from api.db import Conversation, Message
    from rag.answer.types import Answer

    svc = _server_services(tmp_path)
    try:
        user_id = svc.accounts.resolve_api_key(svc.accounts.create_api_key(
            svc.accounts.create_user("kim", "correct-horse-1", "staff")["username"])).id
        for question, age in (("오래된 질문", 100), ("최근 질문", 1)):
            conv = svc.history.start_or_continue(user_id, "childcare", question, None)
            svc.history.add_turn(conv, question, Answer(question, "답변", "extractive"), [])
            with svc.db.session() as s:
                moment = datetime.now(timezone.utc) - timedelta(days=age)
                s.execute(update(Conversation).where(Conversation.id == conv).values(created_at=moment))
                s.execute(update(Message).where(Message.conversation_id == conv).values(created_at=moment))

        code, out, _ = run("admin", "purge-history", "--days", "30")
        assert code == 0 and out.strip() == "30일이 지난 대화 1개, 메시지 2개를 삭제했습니다"
        assert [c["title"] for c in svc.history.conversations(user_id)] == ["최근 질문"]
        code, out, _ = run("admin", "purge-history")  # the setting: 365 days
        assert code == 0 and "대화 0개" in out
    finally:
        svc.close()


def test_metabolic_purge_history_and_key_rotation_from_the_shell(run, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    from cryptography.fernet import Fernet
    from sqlalchemy import update

    from api.db import MetabolicAssessment
    from assistants.metabolic.history import AssessmentHistory
    from tests.assistants.metabolic.conftest import man

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__STORE_HISTORY", "true")
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__HISTORY_KEY", old_key)
    svc = _server_services(tmp_path)
    try:
        kim = svc.accounts.resolve_api_key(svc.accounts.create_api_key(
            svc.accounts.create_user("kim", "correct-horse-1", "staff")["username"]))
        history = AssessmentHistory(svc.db, svc.settings.metabolic, svc.audit)
        old, recent = (history.save(kim, [man()], [], [{"group": "정상군"}], label)[0] for label in ("오래된", "최근"))
        with svc.db.session() as s:
            s.execute(update(MetabolicAssessment).where(MetabolicAssessment.id == old)
                      .values(created_at=datetime.now(timezone.utc) - timedelta(days=100)))
    finally:
        svc.close()

    code, out, _ = run("metabolic", "purge-history", "--days", "30")
    assert code == 0 and out.strip() == "30일이 지난 검사 기록 1건을 파기했습니다"
    assert run("metabolic", "purge-history", "--days", "0")[0] == 2

    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__HISTORY_KEY", new_key)
    code, _, err = run("metabolic", "rotate-history-key")  # the old key is not configured: nothing changes
    assert code != 0 and "metabolic.history_previous_keys" in err
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__HISTORY_PREVIOUS_KEYS", json.dumps([old_key]))
    code, out, _ = run("metabolic", "rotate-history-key")
    assert code == 0 and out.startswith("검사 기록 1건을 현재 키(metabolic.history_key)로 다시 암호화했습니다")

    monkeypatch.delenv("SEOUL_ASSIST_METABOLIC__HISTORY_PREVIOUS_KEYS")
    svc = _server_services(tmp_path)
    try:  # the new key alone opens it now
        assert AssessmentHistory(svc.db, svc.settings.metabolic, svc.audit).read(kim, recent)["label"] == "최근"
    finally:
        svc.close()
