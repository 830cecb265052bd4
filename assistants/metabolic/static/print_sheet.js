// What is printed for the participant (@media print shows only this): plain Korean, no
// table numbers or file names in the text, the sources as short numbered footnotes, the
// AI summary with its review mark, and the notice that the final diagnosis is the doctor's.

import { el } from "/static/dom.js";
import { footnote } from "./citations.js";
import { reviewMark } from "./counselling.js";
import { FACTORS, months } from "./result_card.js";

const PLAIN_FACTORS = {
  waist: "허리둘레", bp: "혈압", glucose: "공복 혈당", tg: "중성지방(혈액 속 기름)", hdl: "좋은 콜레스테롤(HDL)",
};
const PLAIN_GROUPS = {
  대사증후군: "대사증후군 관리 대상입니다. 생활 습관을 함께 바꿔 나가요.",
  건강주의군: "건강에 주의가 필요합니다. 지금부터 관리하면 좋아질 수 있어요.",
  약물치료군: "약으로 치료 중입니다. 약을 꾸준히 드시고 생활 습관도 함께 관리해요.",
  정상군: "지금은 기준을 넘는 항목이 없습니다. 건강한 습관을 이어 가세요.",
};
const PLAIN_MEASURES = {
  waist: "허리둘레", sys: "혈압(높은 쪽)", dia: "혈압(낮은 쪽)", fbg: "공복 혈당", tg: "중성지방", hdl: "좋은 콜레스테롤(HDL)",
  ldl: "LDL 콜레스테롤", tc: "총콜레스테롤",
};
const PLAIN_VERDICT = { true: "기준을 넘었어요", false: "기준 안이에요", null: "다시 확인이 필요해요" };
const CITATION_MARKS = /\s*\[\d+(?:\s*,\s*\d+)*\]/g;

/** Footnotes numbered in order of first use, one per document and table. */
class Footnotes {
  constructor() {
    this.notes = [];
  }

  mark(citation) {
    if (!citation) return null;
    const text = footnote(citation);
    let index = this.notes.indexOf(text);
    if (index < 0) index = this.notes.push(text) - 1;
    return el("sup", { class: "fn" }, String(index + 1));
  }

  list() {
    return this.notes.length ? el("ol", { class: "footnotes" }, this.notes.map((n) => el("li", {}, n))) : null;
  }
}

function valueText(result, factor) {
  return result.basis.filter((b) => b.rule === factor && typeof b.value === "number")
    .map((b) => `${b.value} ${b.unit}`).join(" / ") || "—";
}

/** The sheet's contents for `result`, or nothing for a refused record. */
export function printSheet(result, review) {
  if (!result || result.errors) return [];
  const notes = new Footnotes();
  const factorEntry = (factor) => result.basis.find((b) => b.rule === factor);
  const groupEntry = result.basis.find((b) => b.rule === "group");
  const recheck = result.basis.find((b) => b.rule === "recheck");
  const summary = result.counselling_summary;
  return [
    el("h2", {}, "나의 검진 결과 안내"),
    result.referrals.length ? el("section", { class: "print-referrals" },
      el("h3", {}, "꼭 확인해 주세요"),
      result.referrals.map((r) => r.contacts
        ? el("p", {}, "마음이 힘들 때 도움을 받을 수 있는 곳: ", r.contacts.join(", "), notes.mark(r.citation))
        : el("p", {}, "병원 진료를 권해요: ", r.values.map((v) => `${PLAIN_MEASURES[v.measure] || ""} ${v.value} ${v.unit}`.trim()).join(", "),
          ` (${r.disease_range} 범위의 수치)`, notes.mark(r.citation)))) : null,
    result.group ? el("p", { class: "print-group" }, el("strong", {}, `검진 결과 분류: ${result.group}`),
      notes.mark(groupEntry && groupEntry.citation), el("br"), PLAIN_GROUPS[result.group] || "") : null,
    el("table", { class: "print-factors" },
      el("thead", {}, el("tr", {}, ["항목", "나의 값", "결과"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, FACTORS.map((factor) => el("tr", {},
        el("th", { scope: "row" }, PLAIN_FACTORS[factor], notes.mark(factorEntry(factor) && factorEntry(factor).citation)),
        el("td", {}, valueText(result, factor)),
        el("td", {}, PLAIN_VERDICT[String(result.risk_factors[factor])]))))),
    result.recheck_months.length ? el("p", {}, el("strong", {}, "다시 검사하는 때: "),
      `${months(result.recheck_months)} 뒤`, notes.mark(recheck && recheck.citation)) : null,
    summary && summary.text ? el("section", { class: "print-summary" },
      el("h3", {}, "생활 습관 안내 ", el("span", { class: "review-mark" }, `(${reviewMark(review, summary)})`)),
      el("p", {}, summary.text.replace(CITATION_MARKS, ""))) : null,
    el("p", { class: "print-notice" }, result.notice),
    el("footer", {}, el("p", { class: "footnotes-title" }, "출처"), notes.list()),
  ].filter(Boolean);
}
