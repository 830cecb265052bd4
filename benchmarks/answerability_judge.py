"""Would a language model that reads the answer tell an unanswerable statute question
from an answerable one, where the abstention rules cannot?

    .venv/bin/python benchmarks/answerability_judge.py --runs DIR [--url URL --model NAME] [--limit N]

``--runs`` is a folder of ``fold_quality.py`` case records (``$SEOUL_ASSIST_BENCH_DIR/
fold_runs/<llm>/<label>``). For every statute question answered there, the judge reads the
question and the answer's quoted sentences and is asked whether they answer it; its score is
log P(예) − log P(아니오) of the first token. Without ``--url`` the judge is the embedded model;
with it, any OpenAI-compatible server that returns ``logprobs`` (vLLM, llama.cpp).

The questions are split as ``fold_quality.pooled_side`` splits them: what the rules were
tuned on (dev fold 0 and ``TUNED_OWN``) against the rest. A refusal threshold is chosen on
the tuned side only, the one that maximises its abstention F1 (eval's definition), and then
applied unchanged to the held-out side: a judge is worth wiring into abstention only if
the held-out side gains too. The table also gives, per side, the AUC of the score for
answers citing their evidence against answered unanswerable questions. Verdicts are cached
per judge and answer, so an interrupted run resumes."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, print_table, write_json  # noqa: E402
from fold_quality import pooled_side  # noqa: E402

import httpx  # noqa: E402
from tqdm import tqdm  # noqa: E402

from eval.case_metrics import abstained, answerable, cites_evidence, failed, find_metric  # noqa: E402

SYSTEM = ("당신은 법령 질의응답 검수자입니다. 인용문이 질문이 묻는 바로 그 내용에 직접 답하는지 판정하고 "
          "'예' 또는 '아니오'로만 답하십시오. 질문이 묻는 사람·기관·대상이 인용문의 대상과 다르거나, "
          "인용문에 질문이 묻는 수치·기간·요건이 없으면 '아니오'입니다.")
YES, NO = ("예", "네"), ("아니오", "아니", "아")
#: Log-probability given to a verdict missing from the top tokens the server returned.
FLOOR = -30.0
#: Characters of the answer the judge reads: the quotes come first and carry the point.
ANSWER_CHARS = 1500
ABSTENTION_F1 = find_metric("abstention.f1")


def outcome(record: dict) -> str:
    """H: answered citing the evidence, M: answered without it, R: answerable but refused,
    X: unanswerable but answered, C: correctly refused."""
    if answerable(record):
        return "R" if abstained(record) else "H" if cites_evidence(record) else "M"
    return "C" if abstained(record) else "X"


def judge_messages(question: str, answer: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"질문: {question}\n\n인용문:\n{answer[:ANSWER_CHARS]}\n\n"
                                        "이 인용문이 질문에 직접 답합니까? (예/아니오)"}]


def first_token_logprobs(response: dict) -> dict[str, float]:
    """The first token's top log-probabilities by token text, spaces stripped (" 예" and "예"
    are one verdict: the likelier counts); empty when the server sent none."""
    choice = response["choices"][0]
    content = (choice.get("logprobs") or {}).get("content") or []
    if not content:
        return {}
    top: dict[str, float] = {}
    for entry in [content[0], *(content[0].get("top_logprobs") or [])]:
        token = entry["token"].strip()
        top[token] = max(top.get(token, FLOOR), entry["logprob"])
    return top


def verdict_score(response: dict, top: dict[str, float] | None = None) -> float:
    """log P(yes) − log P(no) over the first token's top log-probabilities (``top``, or read
    from ``response``); a server that sends none is read from its text (±FLOOR)."""
    top = first_token_logprobs(response) if top is None else top
    if top:
        yes = max((top[t] for t in YES if t in top), default=FLOOR)
        no = max((top[t] for t in NO if t in top), default=FLOOR)
        return yes - no
    text = (response["choices"][0].get("message") or {}).get("content", "").strip()
    if text.startswith(YES):
        return -FLOOR
    if text.startswith(NO):
        return FLOOR
    raise ValueError(f"판정을 읽을 수 없습니다: {text[:40]!r}")


def auc(positive: list[float], negative: list[float]) -> float | None:
    """P(a positive scores above a negative), ties counting half."""
    if not positive or not negative:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return round(wins / (len(positive) * len(negative)), 3)


def abstention_f1(records: list[dict]) -> float | None:
    """As metrics.json has it (eval's one definition); None where nothing was refused."""
    return ABSTENTION_F1.stored(records)


def refused_by(rows: list[dict], threshold: float | None) -> list[dict]:
    """The rows' records, those answered and scoring at or below ``threshold`` refused too."""
    return [{**row["record"], "abstained": True}
            if threshold is not None and row["score"] is not None and row["score"] <= threshold else row["record"]
            for row in rows]


def with_threshold(rows: list[dict], threshold: float | None) -> Counter:
    """Outcomes when answered questions scoring at or below ``threshold`` are refused too."""
    return Counter(outcome(record) for record in refused_by(rows, threshold))


def best_threshold(rows: list[dict]) -> float | None:
    """The refusal threshold with the best abstention F1 on ``rows``; None (no refusal) when
    none beats the rules alone. Ties go to the threshold that refuses fewer answers."""
    best, best_f1 = None, abstention_f1(refused_by(rows, None)) or 0.0
    for threshold in sorted({r["score"] for r in rows if r["score"] is not None}):
        f1 = abstention_f1(refused_by(rows, threshold)) or 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = threshold, f1
    return best


def side_summary(rows: list[dict], threshold: float | None) -> dict:
    scores = {k: [r["score"] for r in rows if r["outcome"] == k] for k in "HMX"}
    before, after = refused_by(rows, None), refused_by(rows, threshold)
    return {"n": len(rows), "answered": {k: len(v) for k, v in scores.items()},
            "auc_cited_vs_unanswerable": auc(scores["H"], scores["X"]),
            "auc_answerable_vs_unanswerable": auc(scores["H"] + scores["M"], scores["X"]),
            "abstention_f1_rules": abstention_f1(before), "abstention_f1_with_judge": abstention_f1(after),
            "outcomes_rules": dict(Counter(map(outcome, before))),
            "outcomes_with_judge": dict(Counter(map(outcome, after)))}


def load_runs(runs: Path) -> list[dict]:
    rows = []
    for path in sorted(runs.glob("*/cases.jsonl")):
        suite = path.parent.name
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            side = pooled_side(suite, record["id"])
            if side is not None and not failed(record):
                rows.append({"id": record["id"], "suite": suite, "side": side, "question": record["question"],
                             "answer": record.get("answer") or "", "outcome": outcome(record), "score": None,
                             "record": record})
    if not rows:
        sys.exit(f"{runs} 에 법령 문항의 사례 기록(<suite>/cases.jsonl)이 없습니다: fold_quality.py 를 먼저 실행하십시오")
    return rows


class Judge:
    """One OpenAI-compatible chat endpoint asked for first-token log-probabilities."""

    def __init__(self, url: str, model: str, api_key: str | None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=300.0)
        self.model = model

    def verdict(self, question: str, answer: str) -> dict:
        """The first token's top log-probabilities, or the reply's text where the server sends none."""
        body = {"model": self.model, "messages": judge_messages(question, answer), "max_tokens": 1,
                "temperature": 0, "logprobs": True, "top_logprobs": 20, "cache_prompt": True}
        response = self.http.post("/chat/completions", json=body)
        response.raise_for_status()
        payload = response.json()
        return {"top": first_token_logprobs(payload),
                "text": (payload["choices"][0].get("message") or {}).get("content", "")}


def score_of(verdict: dict) -> float:
    return verdict_score({"choices": [{"message": {"content": verdict["text"]}}]}, verdict["top"])


def embedded_judge() -> tuple[Judge, str]:
    from rag.config import load_settings
    from rag.llm.embedded import EmbeddedLLM

    llm = EmbeddedLLM.from_settings(load_settings("local", model_cache_dir=BENCH_DATA / "models"))
    url, key = llm.loopback_endpoint()
    return Judge(url, llm.name, key), llm.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, required=True, help="a fold_quality.py run: <suite>/cases.jsonl")
    parser.add_argument("--url", help="OpenAI-compatible base URL (…/v1); the embedded model without it")
    parser.add_argument("--model", default="judge", help="model name sent to --url")
    parser.add_argument("--api-key")
    parser.add_argument("--limit", type=int, help="judge only the first N answered questions per side (a quick look)")
    parser.add_argument("--out", default="answerability_judge.json")
    args = parser.parse_args()

    rows = load_runs(args.runs)
    judge, name = (Judge(args.url, args.model, args.api_key), args.model) if args.url else embedded_judge()
    answered = [r for r in rows if r["outcome"] in "HMX"]
    if args.limit:  # a quick look: refusals stay whole, so the F1 columns lean towards them
        keep = {id(r) for side in ("tuned", "held out")
                for r in [a for a in answered if a["side"] == side][:args.limit]}
        answered = [r for r in answered if id(r) in keep]
        rows = [r for r in rows if r["outcome"] not in "HMX" or id(r) in keep]
    judge_key = hashlib.sha256(f"{name}\n{SYSTEM}".encode()).hexdigest()[:16]
    cache_path = BENCH_DATA / "judge_cache" / f"{judge_key}.v2.jsonl"  # v2: raw verdicts, scored on reading
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache = {}
    if cache_path.exists():
        cache = {c["key"]: c["verdict"] for c in map(json.loads, cache_path.read_text(encoding="utf-8").splitlines())}
    started = time.perf_counter()
    with cache_path.open("a", encoding="utf-8") as out:
        for row in tqdm(answered, desc="판정", unit="문항", disable=not sys.stderr.isatty()):
            key = hashlib.sha256(f"{row['question']}\n{row['answer']}".encode()).hexdigest()
            fresh = key not in cache
            try:
                verdict = cache[key] if not fresh else judge.verdict(row["question"], row["answer"])
                row["score"] = score_of(verdict)
            except httpx.HTTPError as exc:  # what was judged so far stays in the cache
                sys.exit(f"판정 모델({judge.http.base_url})에 물을 수 없습니다: {exc}")
            except ValueError as exc:  # neither log-probabilities nor 예/아니오: not cached
                sys.exit(f"판정 모델({judge.http.base_url})의 {row['suite']} {row['id']} 답: {exc}")
            if fresh:
                cache[key] = verdict
                out.write(json.dumps({"key": key, "verdict": verdict}, ensure_ascii=False) + "\n")
                out.flush()
    wall = time.perf_counter() - started

    tuned = [r for r in rows if r["side"] == "tuned"]
    threshold = best_threshold(tuned)
    sides = {side: side_summary([r for r in rows if r["side"] == side], threshold) for side in ("tuned", "held out")}
    print_table(["questions", "cases", "answered H/M/X", "AUC H vs X", "AUC H+M vs X", "abst F1 rules",
                 "abst F1 + judge"],
                [[side, s["n"], "/".join(str(s["answered"][k]) for k in "HMX"),
                  *("—" if s[k] is None else s[k] for k in ("auc_cited_vs_unanswerable",
                                                           "auc_answerable_vs_unanswerable",
                                                           "abstention_f1_rules", "abstention_f1_with_judge"))]
                 for side, s in sides.items()])
    print(f"\njudge {name}; threshold chosen on the tuned side: "
          f"{'none beats the rules alone' if threshold is None else f'{threshold:+.2f}'}; {wall:.0f} s")
    write_json(args.out, {"judge": name, "runs": str(args.runs), "threshold": threshold, "wall_s": round(wall, 1),
                          "sides": sides})


if __name__ == "__main__":
    main()
