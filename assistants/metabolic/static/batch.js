// Several participants at once (a pasted list, an uploaded export): one row per record with
// its id, group, risk factors, 재검진 and referrals, or the fields its errors name; a row's
// button opens that participant in the form and the card.

import { el, tableHead } from "/static/dom.js";
import { months } from "./result_card.js";

function outcome(result) {
  if (result.errors) {
    return [el("td", { colspan: "4", class: "batch-errors" }, el("span", { class: "error" },
      `입력 오류: ${result.errors.map((e) => e.field).join(", ")}`),
    el("span", { class: "batch-error-text" }, result.errors.map((e) => e.message).join(" ")))];
  }
  return [
    el("td", {}, result.group || "판정 불가"),
    el("td", { class: "num" }, String(result.risk_factor_count)),
    el("td", {}, result.recheck_months.length ? months(result.recheck_months) : "—"),
    el("td", {}, result.referrals.length ? result.referrals.map((r) => r.kind).join(", ") : "—"),
  ];
}

/** The batch table; `open(index)` shows record `index` in the form and its card. */
export function batchTable(results, open) {
  const failed = results.filter((r) => r.errors).length;
  return [
    el("p", { class: "batch-count", id: "batch-count" },
      `${results.length}명 분류${failed ? ` · 입력 오류 ${failed}명 (나머지는 분류했습니다)` : ""}`),
    el("div", { class: "table-wrap" }, el("table", { class: "data-table batch-table", id: "batch-table" },
      el("caption", { class: "visually-hidden" }, "참여자별 검진 결과 분류"),
      tableHead(["참여자", "군", "위험요인", "재검진", "연계", "보기"], ["위험요인"]),
      el("tbody", {}, results.map((result, index) => el("tr", { "data-id": String(result.id) },
        el("th", { scope: "row" }, String(result.id)),
        ...outcome(result),
        el("td", {}, el("button", { type: "button", class: "secondary small batch-open", "aria-label": `${result.id} 보기`,
          onclick: () => open(index) }, "보기"))))))),
  ];
}
