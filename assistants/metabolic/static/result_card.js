// One participant's 검진 결과 분류 as a card: referrals first (상담창구, 의사 진료 권고), then
// the five risk factors (value, threshold, ✓/✗/판정 불가, source), the group as a badge, the
// 재검진 schedule, the SMS plan and who does what, the counselling, and the notice that the
// final diagnosis is the doctor's. Server text only ever goes in as text.

import { el, tableHead } from "/static/dom.js";
import { citationLabel, ruleChip } from "./citations.js";
import { counsellingBlock } from "./counselling.js";

export const FACTORS = ["waist", "bp", "glucose", "tg", "hdl"];
export const FACTOR_LABELS = {
  waist: "복부비만", bp: "높은 혈압", glucose: "높은 혈당", tg: "높은 중성지방혈증", hdl: "낮은 HDL 콜레스테롤",
};
const MEASURE_LABELS = {
  waist: "허리둘레", sys: "수축기혈압", dia: "이완기혈압", fbg: "공복혈당", tg: "중성지방", hdl: "HDL콜레스테롤",
};
const GROUP_CLASSES = { 대사증후군: "metabolic", 건강주의군: "attention", 약물치료군: "medication", 정상군: "normal" };

export function months(list) {
  return list.map((m) => `${m}개월`).join(", ");
}

function verdict(present, reason) {
  if (present === true) return el("span", { class: "verdict yes" }, el("span", { "aria-hidden": "true" }, "✓ "), "해당");
  if (present === false) return el("span", { class: "verdict no" }, el("span", { "aria-hidden": "true" }, "✗ "), "해당 없음");
  return el("span", { class: "verdict unknown" }, "판정 불가", reason ? el("span", { class: "verdict-reason" }, reason) : null);
}

function measured(entry) {
  if (typeof entry.value === "number") return `${MEASURE_LABELS[entry.measure] || ""} ${entry.value} ${entry.unit || ""}`.trim();
  return String(entry.value ?? "—");
}

function bpAverage(result) {
  const entry = result.basis.find((b) => b.rule === "bp_average");
  if (!entry) return null;
  const readings = Object.entries(entry.readings || {}).map(([k, v]) => `${MEASURE_LABELS[k]} ${v.join(", ")}`).join(" · ");
  return el("p", { class: "bp-average" }, `혈압은 두 번 잰 값의 평균으로 판정했습니다 (${readings}). `,
    ruleChip(entry.citation, "혈압은 두 번 측정하여 평균값으로 함"));
}

function factorRows(result) {
  return FACTORS.map((factor) => {
    const entries = result.basis.filter((b) => b.rule === factor);
    const first = entries[0];
    const present = result.risk_factors[factor];
    return el("tr", { "data-factor": factor, class: present ? "present" : null },
      el("th", { scope: "row" }, first ? first.label : FACTOR_LABELS[factor]),
      el("td", { class: "values" }, entries.length ? entries.map((e) => el("span", { class: "value" }, measured(e))) : "값 없음"),
      el("td", { class: "thresholds" }, entries.map((e) => el("span", { class: "value" }, e.threshold))),
      el("td", { class: "verdict-cell" }, verdict(present, (result.undetermined || {})[factor])),
      el("td", { class: "source" }, first ? ruleChip(first.citation, first.criterion) : null));
  });
}

function factorTable(result) {
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table factors", id: "factor-table" },
    el("caption", { class: "visually-hidden" }, "대사증후군 위험요인 5개 판정"),
    tableHead(["위험요인", "측정값", "기준", "판정", "출처"]),
    el("tbody", {}, factorRows(result))));
}

function referralBlock(referral) {
  const doctor = referral.kind === "의사 진료 권고";
  return el("section", { class: `referral ${doctor ? "referral-doctor" : "referral-counselling"}` },
    el("h4", {}, referral.kind, " ", ruleChip(referral.citation, doctor ? referral.rule : referral.note)),
    el("p", { class: "referral-reason" }, referral.reason),
    referral.contacts ? el("ul", { class: "contacts" }, referral.contacts.map((c) => el("li", {}, c))) : null,
    referral.note ? el("p", { class: "referral-note" }, referral.note) : null,
    doctor && referral.rule ? el("p", { class: "referral-note" }, referral.rule) : null);
}

function referrals(result) {
  if (!result.referrals.length) return null;
  return el("section", { class: "referrals", id: "referrals", "aria-labelledby": "referrals-title" },
    el("h3", { id: "referrals-title" }, `먼저 안내할 연계 (${result.referrals.length}건)`),
    result.referrals.map(referralBlock));
}

function groupLine(result) {
  const entry = result.basis.find((b) => b.rule === "group");
  if (!result.group) {
    return el("p", { class: "group-line" }, el("span", { class: "group-badge group-unknown", id: "group-badge" }, "군 판정 불가"),
      el("span", { class: "group-reason" }, (result.undetermined || {}).group || ""));
  }
  const meds = entry && entry.medications && entry.medications.length ? ` · ${entry.medications.join(", ")} 약 복용` : "";
  return el("p", { class: "group-line" },
    el("span", { class: `group-badge group-${GROUP_CLASSES[result.group] || "other"}`, id: "group-badge" }, result.group),
    el("span", { class: "group-count" }, `위험요인 ${result.risk_factor_count}개${meds}`),
    entry ? ruleChip(entry.citation, entry.criterion) : null);
}

function schedule(result) {
  if (!result.group) return null;
  const recheck = result.basis.find((b) => b.rule === "recheck");
  const sms = result.sms;
  const senders = sms ? sms.senders || {} : {};
  const perMonth = (n) => (n ? `월 ${n}회` : "보내지 않음");
  const senderOf = (prefix) => Object.entries(senders).find(([k]) => k.startsWith(prefix))?.[1] || "—";
  const smsEntry = result.basis.find((b) => b.rule === "sms");
  const careEntry = result.basis.find((b) => b.rule === "care_plan");
  return el("section", { class: "schedule", "aria-labelledby": "schedule-title" },
    el("h3", { id: "schedule-title" }, "재검진과 관리"),
    el("p", { class: "recheck", id: "recheck" }, el("strong", {}, "재검진: "),
      `${months(result.recheck_months)} (총 ${result.recheck_months.length}회)`,
      recheck && String(recheck.value).includes("신규") ? " · 신규 등록자" : "", " ",
      recheck ? ruleChip(recheck.citation, `${recheck.value}: ${months(recheck.result)}`) : null),
    result.care_plan ? el("p", { class: "care-plan", id: "care-plan" }, el("strong", {}, `${result.care_plan.service}: `),
      result.care_plan.staff, " ", careEntry ? ruleChip(careEntry.citation, `${result.care_plan.service}: ${result.care_plan.staff}`) : null) : null,
    sms ? el("div", { class: "table-wrap" }, el("table", { class: "data-table sms", id: "sms-table" },
      el("caption", {}, "SMS 발송 계획과 담당 ", smsEntry ? ruleChip(smsEntry.citation, "군별 SMS 발송 운영 요약표") : null),
      tableHead(["SMS", "횟수", "보내는 사람"]),
      el("tbody", {},
        el("tr", {}, el("th", { scope: "row" }, "건강관리(영양·운동)"), el("td", {}, perMonth(sms.health_management_per_month)), el("td", {}, senderOf("건강관리"))),
        el("tr", {}, el("th", { scope: "row" }, "건강인지"), el("td", {}, perMonth(sms.awareness_per_month)), el("td", {}, senderOf("건강인지"))),
        el("tr", {}, el("th", { scope: "row" }, "방문일자 알림"), el("td", {}, `${sms.visit_reminders}회 (재검진 주기에 맞춤)`), el("td", {}, senderOf("방문일자")))))) : null);
}

function notes(result) {
  const warnings = result.warnings || [];
  return [
    warnings.length ? el("section", { class: "warnings", "aria-labelledby": "warnings-title" },
      el("h3", { id: "warnings-title" }, "확인할 점"),
      el("ul", {}, warnings.map((w) => el("li", {}, w.message)))) : null,
    el("details", { class: "choices" }, el("summary", {}, "판정 기준과 출처"),
      el("p", {}, result.criteria_source ? result.criteria_source.note : ""),
      el("ul", {}, (result.choices || []).map((c) => el("li", {}, el("strong", {}, c.topic), ": ", c.choice, " ",
        el("span", { class: "choice-source" }, c.source)))),
      el("ul", { class: "basis-citations" }, [...new Set(result.basis.map((b) => b.citation && citationLabel(b.citation)).filter(Boolean))]
        .map((label) => el("li", {}, label)))),
  ];
}

/** The card for one result; `review` is the page's state of the AI summary's review. */
export function resultCard(result, review) {
  if (result.errors) {
    return [el("p", { class: "error", role: "alert" }, `${result.id}: 입력을 확인해 주세요.`),
      el("ul", { class: "error-list" }, result.errors.map((e) => el("li", {}, e.message))),
      el("p", { class: "notice" }, result.notice)];
  }
  return [
    referrals(result),
    el("section", { class: "factors-block", "aria-labelledby": "factors-title" },
      el("h3", { id: "factors-title" }, result.id && !String(result.id).startsWith("#") ? `위험요인 (참여자 ${result.id})` : "위험요인"),
      groupLine(result), factorTable(result), bpAverage(result)),
    schedule(result),
    counsellingBlock(result, review),
    ...notes(result),
    el("p", { class: "notice result-notice", id: "result-notice" }, result.notice),
  ].filter(Boolean);
}
