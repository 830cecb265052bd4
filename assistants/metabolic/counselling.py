"""The counselling content for one assessed participant, retrieved from the programme's own
guides and cited: for each risk factor present (waist, bp, glucose, tg, hdl) the guides'
nutrition and exercise counselling, and, where a baseline survey is given, the counselling
for the participant's smoking, drinking, physical activity and eating habits, at the
behaviour-change stage the survey states.

Only the programme's guides are read (the 2023 상담가이드북, the 2025 안내서, the 2023 FAQ
사례집: a filter on the document title, as criteria.py reads 표 8), never the health
statutes the same collection holds. Each section is found by a fixed query written in the
guides' own words (BM25 alone: the queries are keyword lists, not questions, and no
embedding keeps an assessment within its 200 ms); each passage is the chunk's own text,
the sentences that best match the query, quoted whole and verbatim, with the chunk's id
so its citation opens the indexed text (GET /api/passages/metabolic/{chunk_id}).

What the guides say about a factor at a stage does not depend on the participant, so a
section's passages are kept per (collection, index state, factor, stage): a batch
retrieves each section once, and re-indexing a guide (a new index state) retrieves again."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from rag.retrieval.results import RetrievedChunk
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

from .guide_text import GUIDE_TITLE

GUIDEBOOK_TITLE = "2023년 서울시 대사증후군 관리사업 상담가이드북"
FAQ_TITLE = "2023년 서울시 대사증후군 관리사업 상담 FAQ 사례집"
#: The programme's own publications: the only documents counselling is read from.
GUIDE_TITLES = (GUIDEBOOK_TITLE, GUIDE_TITLE, FAQ_TITLE)

#: Chunks looked at per query, and at most how many of them a section quotes.
_CANDIDATES = 4
_PER_TOPIC = 2
#: A second chunk for a query must score this share of the best one.
_SECOND_SHARE = 0.85
#: About how long a quoted passage is (whole sentences, so it may end a little short).
EXCERPT_CHARS = 360


@dataclass(frozen=True)
class Topic:
    area: str  # 영양 | 운동 | 행동 변화 | 금연 | 절주
    query: str  # the guides' own words; "{stage}" is filled with the stage's words


@dataclass(frozen=True)
class Section:
    """One counselling section a participant needs: a risk factor present or a survey answer."""

    factor: str
    title: str
    topics: tuple[Topic, ...]
    why: str
    stage: str | None = None


@dataclass(frozen=True)
class GuidePassage:
    area: str
    chunk: RetrievedChunk
    text: str


# --- what each factor and habit is counselled with ---------------------------------------

FACTOR_TITLES = {"waist": "복부비만 (허리둘레)", "bp": "높은 혈압", "glucose": "높은 혈당 (공복혈당)",
                 "tg": "높은 중성지방", "hdl": "낮은 HDL 콜레스테롤"}

_FACTOR_TOPICS = {
    "waist": (Topic("영양", "체중 조절 식사 관리 식습관 관리 비만 저열량 식사"),
              Topic("운동", "신체활동과 비만 체중 감량 규칙적인 신체활동 에너지 소비")),
    "bp": (Topic("영양", "고혈압 식사 관리 염분 섭취 싱겁게 혈압조절"),
           Topic("운동", "신체활동과 혈압 유산소 운동 혈압 감소")),
    "glucose": (Topic("영양", "고혈당 식사 관리 영양 처방 혈당 조절 당지수"),
                Topic("운동", "신체활동과 인슐린 민감도 포도당 흡수 규칙적인 운동")),
    "tg": (Topic("영양", "이상지질혈증 식사 관리 중성지방 당류 포화지방 권장 식품 주의 식품"),
           Topic("운동", "신체활동과 고지혈증 중성지방 감소 운동")),
    "hdl": (Topic("영양", "이상지질혈증 영양 처방 HDL 콜레스테롤 지방 섭취"),
            Topic("운동", "HDL 콜레스테롤 증가 지구성 트레이닝 유산소 운동")),
}

#: Behaviour-change stages (Prochaska), with the words each guide uses for them: the
#: 상담기법 chapter says 숙고 전/숙고 and the English name, the 운동 chapter 무관심/관심, the
#: 흡연 chapter 고려전/고려.
STAGES = {
    "precontemplation": ("숙고 전 단계", "숙고 전 고려전 무관심 pre-contemplation precontemplation"),
    "contemplation": ("숙고 단계", "숙고 고려 관심 contemplation"),
    "preparation": ("준비 단계", "준비 preparation"),
    "action": ("실행 단계", "실행 action"),
    "maintenance": ("유지 단계", "유지 maintenance"),
}
# The survey's exercise_plan is the stage-of-change question for exercise.
_EXERCISE_STAGE = {"NO_PLAN": "precontemplation", "FUTURE": "contemplation", "OCCASIONAL": "preparation",
                   "LESS_6M": "action", "MORE_6M": "maintenance"}
_EXERCISE_PLAN = {"NO_PLAN": "운동할 계획 없음", "FUTURE": "앞으로 운동을 시작할 생각",
                  "OCCASIONAL": "가끔 운동함 (규칙적이지 않음)", "LESS_6M": "규칙적으로 운동한 지 6개월 미만",
                  "MORE_6M": "규칙적으로 운동한 지 6개월 이상"}
_SMOKING = {"DAILY": "매일 흡연", "OCCASIONAL": "가끔 흡연", "FORMER": "과거 흡연 (현재 금연)", "NEVER": "비흡연"}
_QUIT_PLAN = {"NO_PLAN": "금연 계획 없음", "SOMEDAY": "언젠가 금연할 생각"}
_DRINKING = {"LESS_1PM": "월 1회 미만", "ONCE_PM": "월 1회", "2_4PM": "월 2~4회", "2_3PW": "주 2~3회",
             "4PLUS_PW": "주 4회 이상"}
_DIET_HABITS = {1: "잡곡 먹기", 2: "채소 먹기", 3: "과일 먹기", 4: "우유·유제품 먹기", 5: "규칙적인 식사",
                6: "골고루 먹기", 7: "싱겁게 먹기", 8: "음식에 소금·간장 더 넣지 않기", 9: "고기 기름 떼고 먹기",
                10: "튀김·볶음 줄이기"}
_BREAKFAST = {"5_7PW": "주 5~7회", "3_4PW": "주 3~4회", "1_2PW": "주 1~2회", "RARELY": "거의 안 먹음"}

_SMOKING_TOPIC = Topic("금연", "금연 상담 5A 금연 권고 흡연 상태 평가")
_SMOKING_STAGE_TOPIC = Topic("행동 변화", "금연 단계별 상담요령 {stage} 단계")
_ALCOHOL_TOPICS = (Topic("절주", "음주 위험 수준에 따른 대처 절주 권고 저위험 음주량"),
                   Topic("행동 변화", "일반적 음주 상담 음주 일지 작성"))
_ACTIVITY_TOPIC = Topic("운동", "신체활동 준비 정도에 따른 상담 내용 운동 빈도 운동 시간")
_ACTIVITY_STAGE_TOPIC = Topic("행동 변화", "변화 단계별 상담전략 {stage} stage")
_DIET_TOPIC = Topic("영양", "식습관 관리 규칙적인 식사 식품 선택 싱겁게 골고루")


def sections_for(result: Mapping, survey: Mapping | None) -> list[Section]:
    """The sections a classified participant needs, risk factors first, then the survey's habits."""
    sections = [Section(f, FACTOR_TITLES[f], _FACTOR_TOPICS[f], f"위험요인: {FACTOR_TITLES[f]}")
                for f, present in result.get("risk_factors", {}).items() if present is True and f in _FACTOR_TOPICS]
    habits = survey_categories(survey)
    if "smoking" in habits:
        stage = _quit_stage(_part(survey, "smoking").get("quit_plan"))
        topics = (_SMOKING_TOPIC, _SMOKING_STAGE_TOPIC) if stage else (_SMOKING_TOPIC,)
        sections.append(Section("smoking", "흡연", topics, f"기초설문: {habits['smoking']}", stage))
    if "alcohol" in habits:
        sections.append(Section("alcohol", "음주", _ALCOHOL_TOPICS, f"기초설문: {habits['alcohol']}"))
    if "physical_activity" in habits:
        stage = _EXERCISE_STAGE.get(str(_part(survey, "physical_activity").get("exercise_plan")))
        topics = (_ACTIVITY_TOPIC, _ACTIVITY_STAGE_TOPIC) if stage else (_ACTIVITY_TOPIC,)
        sections.append(Section("physical_activity", "신체활동", topics, f"기초설문: {habits['physical_activity']}",
                                stage))
    if "diet" in habits:
        sections.append(Section("diet", "식습관", (_DIET_TOPIC,), f"기초설문: {habits['diet']}"))
    return sections


def survey_categories(survey: Mapping | None) -> dict[str, str]:
    """The survey's lifestyle answers that call for counselling, as categories in words
    (never a measurement): current smoking, current drinking, the exercise stage, eating
    habits not kept. This is all of the survey a summary's prompt is given."""
    found: dict[str, str] = {}
    smoking = _part(survey, "smoking")
    status = smoking.get("current_status")
    if status in ("DAILY", "OCCASIONAL"):
        plan = _QUIT_PLAN.get(str(smoking.get("quit_plan")), "")
        stage = _quit_stage(smoking.get("quit_plan"))
        found["smoking"] = ", ".join(x for x in (_SMOKING[status], plan,
                                                 f"금연 {STAGES[stage][0]}" if stage else "") if x)
    alcohol = _part(survey, "alcohol")
    if alcohol.get("current_drinker") is True:
        amount = alcohol.get("amount_per_occasion")
        amount_words = (f"한 번에 {str(amount).replace('_', '~').replace('PLUS', '')}잔"
                        + (" 이상" if "PLUS" in str(amount) else "")) if isinstance(amount, str) and amount else ""
        found["alcohol"] = ", ".join(x for x in ("현재 음주", _DRINKING.get(str(alcohol.get("frequency")), ""),
                                                 amount_words) if x)
    plan = _part(survey, "physical_activity").get("exercise_plan")
    if plan in _EXERCISE_STAGE:
        found["physical_activity"] = f"{_EXERCISE_PLAN[plan]} (운동 {STAGES[_EXERCISE_STAGE[plan]][0]})"
    diet = _part(survey, "diet")
    missing = [_DIET_HABITS[n] for n in _DIET_HABITS
               if next((v for k, v in diet.items() if k.startswith(f"diet_q{n}_")), None) == 0]
    breakfast = diet.get("breakfast_frequency")
    if breakfast in ("1_2PW", "RARELY"):
        missing.insert(0, f"아침 식사 {_BREAKFAST[breakfast]}")
    if missing:
        found["diet"] = "지키지 않는 식습관: " + ", ".join(missing)
    return found


def _part(survey: Mapping | None, name: str) -> Mapping:
    part = survey.get(name) if isinstance(survey, Mapping) else None
    return part if isinstance(part, Mapping) else {}


def _quit_stage(plan: object) -> str | None:
    # Prochaska's smoking stages (상담가이드북 표 5-2): within 30 days 준비, within 6 months
    # 고려, otherwise (someday, no plan) 고려전.
    code = str(plan or "")
    if code in ("NO_PLAN", "SOMEDAY"):
        return "precontemplation"
    if "1M" in code or "30D" in code:
        return "preparation"
    if "6M" in code:
        return "contemplation"
    return None


# --- retrieving and quoting ---------------------------------------------------------------

class CounsellingGuide:
    """Finds and quotes each section's passages, keeping them per (collection, index
    state, factor, stage). `index_state(collection)` is anything that changes when a guide
    is re-indexed (the guides' sources and content hashes)."""

    def __init__(self, retriever: HybridRetriever, index_state: Callable[[str], Hashable]) -> None:
        self.retriever = retriever
        self.index_state = index_state
        self._cache: dict[tuple[str, str, str | None], tuple[Hashable, list[GuidePassage]]] = {}
        self._lock = threading.Lock()

    def counselling(self, collection: str, result: Mapping, survey: Mapping | None = None) -> list[dict]:
        """The result's `counselling`: one entry per section, each passage numbered."""
        return counselling_view(self.numbered_sections(collection, result, survey))

    def numbered_sections(self, collection: str, result: Mapping, survey: Mapping | None = None) -> "NumberedSections":
        """Each section with its passages numbered from 1 across the sections; the same
        quote under two sections keeps one number (one chunk quoted at two places, e.g.
        its 비만 and its 혈압 paragraphs, gets two)."""
        state = self.index_state(collection)
        numbers: dict[tuple[str, str], int] = {}
        out = []
        for section in sections_for(result, survey):
            passages = [(numbers.setdefault((found.chunk.id, found.text), len(numbers) + 1), found)
                        for found in self.passages(collection, section, state)]
            out.append((section, passages))
        return out

    def passages(self, collection: str, section: Section, state: Hashable | None = None) -> list[GuidePassage]:
        state = self.index_state(collection) if state is None else state
        key = (collection, section.factor, section.stage)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        found = self._retrieve(collection, section)
        with self._lock:
            self._cache[key] = (state, found)
        return found

    def _retrieve(self, collection: str, section: Section) -> list[GuidePassage]:
        words = STAGES[section.stage][1] if section.stage else ""
        chosen: list[GuidePassage] = []
        for topic in section.topics:
            query = topic.query.replace("{stage}", words)
            hits = self.retriever.search(query, collection, k=_CANDIDATES, flt=PointFilter(laws=GUIDE_TITLES),
                                         mode="sparse")
            taken = 0
            for hit in hits:
                if taken >= _PER_TOPIC or (taken and hit.score < hits[0].score * _SECOND_SHARE):
                    break
                if hit.title not in GUIDE_TITLES or any(p.chunk.id == hit.id for p in chosen):
                    continue
                text = excerpt(hit.text, query, words)
                if text:
                    chosen.append(GuidePassage(topic.area, hit, text))
                    taken += 1
        return chosen


NumberedSections = list[tuple[Section, list[tuple[int, GuidePassage]]]]


def counselling_view(sections: NumberedSections) -> list[dict]:
    entries = []
    for section, passages in sections:
        entry = {"factor": section.factor, "title": section.title, "why": section.why,
                 "passages": [passage_view(n, found) for n, found in passages]}
        if section.stage:
            entry["stage"] = {"code": section.stage, "label": STAGES[section.stage][0]}
        entries.append(entry)
    return entries


def passage_view(n: int, found: GuidePassage) -> dict:
    chunk = found.chunk
    return {"n": n, "area": found.area, "text": found.text, "label": chunk.citation, "source": chunk.source,
            "locator": chunk.locator, "page": chunk.page, "chunk_id": chunk.id}


_SKIP_LINE = re.compile(r"^(?:#|\||\*\*(?:표|그림)\s*\d|!\[)")
_BULLET = re.compile(r"^(?:[-*•▸◦]|\d{1,2}[.)]|[①-⑳])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: A passage shorter than this only announces what follows ("… 다음의 표와 같다."): not quoted.
_MIN_EXCERPT = 60


@dataclass(frozen=True)
class _Paragraph:
    text: str  # the line without its indent and list marker: verbatim from the chunk
    indent: int
    quotable: bool  # False: a heading, a table row, a caption, an image


def excerpt(text: str, query: str, focus: str = "", limit: int = EXCERPT_CHARS) -> str:
    """The chunk's paragraphs from the one that best matches the query's words (those of
    `focus`, a stage's words, first), whole sentences only, about `limit` characters; each
    line verbatim from the chunk (a list marker left off). It stops where its topic ends
    (a line less indented, a short title-like line, a heading, a table or a figure), so
    it does not run on into the next topic. Empty: nothing worth quoting."""
    paragraphs = [_Paragraph(_BULLET.sub("", raw.strip(), count=1), len(raw) - len(raw.lstrip()),
                             not _SKIP_LINE.match(raw.strip()))
                  for raw in text.splitlines() if raw.strip()]
    candidates = [i for i, p in enumerate(paragraphs) if p.quotable and len(p.text) >= 15]
    if not candidates:
        return ""
    words = [w for w in query.split() if len(w) >= 2]
    focused = [w for w in focus.split() if len(w) >= 2]
    # A paragraph that starts with the stage's name ("행위단계: …") is that stage's own.
    best = max(candidates, key=lambda i: (any(paragraphs[i].text.startswith(w) for w in focused),
                                          sum(w in paragraphs[i].text for w in focused),
                                          sum(w in paragraphs[i].text for w in words), -i))
    quoted: list[str] = []
    used = 0
    for paragraph in paragraphs[best:]:
        if quoted and (not paragraph.quotable or paragraph.indent < paragraphs[best].indent
                       or _title_like(paragraph.text)):
            break
        room = limit - used
        if room <= 40 and quoted:
            break
        if len(paragraph.text) <= room:
            quoted.append(paragraph.text)
            used += len(paragraph.text)
            continue
        part = _sentences_within(paragraph.text, room)
        if part:
            quoted.append(part)
        elif not quoted:  # one long sentence: quoted whole rather than cut
            quoted.append(_SENTENCE_END.split(paragraph.text, maxsplit=1)[0])
        break
    joined = "\n".join(quoted)
    return joined if len(joined) >= _MIN_EXCERPT else ""


def _title_like(text: str) -> bool:
    """"신체활동과 염증", "DASH diet 실천을 위한 Tip": a short line that ends no sentence."""
    return len(text) < 30 and not text.rstrip().endswith((".", "다", "요", ")"))


def _sentences_within(paragraph: str, room: int) -> str:
    kept = ""
    for match in _SENTENCE_END.finditer(paragraph):
        if match.start() > room:
            break
        kept = paragraph[:match.start()]
    return kept


def first_sentences(text: str, limit: int) -> str:
    """The whole sentences of `text` that fit in `limit` characters; at least the first."""
    if len(text) <= limit:
        return text
    return _sentences_within(text, limit) or _SENTENCE_END.split(text, maxsplit=1)[0]


# --- one guide per index, shared by the requests on it -------------------------------------

_SHARED: dict[int, CounsellingGuide] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 8  # indexes open in one process (tests open many; a server one)


def shared_guide(retriever: HybridRetriever, index_state: Callable[[str], Hashable]) -> CounsellingGuide:
    """The guide (and its cache) kept for this retriever, made on first use."""
    with _SHARED_LOCK:
        guide = _SHARED.get(id(retriever))
        if guide is None or guide.retriever is not retriever:
            guide = _SHARED[id(retriever)] = CounsellingGuide(retriever, index_state)
            while len(_SHARED) > _SHARED_MAX:
                del _SHARED[next(iter(_SHARED))]
        return guide


def guides_state(documents: Mapping[str, object]) -> tuple:
    """An index state for the cache: the guides' sources and content hashes (from the
    ingest state's document records)."""
    return tuple(sorted((source, getattr(record, "content_hash", ""))
                        for source, record in documents.items() if getattr(record, "title", "") in GUIDE_TITLES))
