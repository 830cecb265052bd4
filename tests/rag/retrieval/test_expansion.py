"""Thesaurus expansion of everyday words into statute wording."""

from __future__ import annotations

from pathlib import Path

from rag.retrieval.expansion import Expansion, Thesaurus


def test_shipped_thesaurus_expands_cctv_case_insensitively():
    thesaurus = Thesaurus.load()

    expansion = thesaurus.expand("어린이집 CCTV 설치 기준")
    assert expansion.terms == ("폐쇄회로 텔레비전", "영상정보처리기기")
    assert expansion.text == "폐쇄회로 텔레비전 영상정보처리기기"


def test_no_duplicates_when_several_keys_give_the_same_term():
    thesaurus = Thesaurus({"cctv": ["폐쇄회로 텔레비전", "영상정보처리기기"], "씨씨티비": ["폐쇄회로 텔레비전", "영상정보처리기기"],
                           "카메라": ["영상정보처리기기"]})

    assert thesaurus.expand("씨씨티비 카메라, cctv").terms == ("폐쇄회로 텔레비전", "영상정보처리기기")


def test_terms_already_in_the_query_are_not_added():
    thesaurus = Thesaurus({"cctv": ["폐쇄회로 텔레비전", "영상정보처리기기"]})

    assert thesaurus.expand("CCTV 즉 폐쇄회로 텔레비전").terms == ("영상정보처리기기",)
    assert thesaurus.expand("cctv 폐쇄회로 텔레비전 영상정보처리기기").terms == ()


def test_no_match_no_expansion():
    expansion = Thesaurus({"월급": ["보수"]}).expand("연가는 며칠인가요")

    assert expansion == Expansion(())
    assert expansion.text == ""


def test_longer_keys_are_applied_first():
    thesaurus = Thesaurus({"정보": ["자료"], "개인 정보": ["개인정보"]})

    assert thesaurus.expand("개인 정보 유출").terms == ("개인정보", "자료")


def test_load_reads_a_yaml_file(tmp_path: Path):
    path = tmp_path / "thesaurus.yaml"
    path.write_text("차트: [진료기록부]\n야근: [시간외근무]\n", encoding="utf-8")

    assert Thesaurus.load(path).expand("야근 수당").terms == ("시간외근무",)
