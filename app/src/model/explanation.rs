//! Explanations: an agency officer's word on a value of their own agency — why it is what
//! it is, what is being done, by when — and the operator's request for one. An
//! explanation stands until its date passes or the next figure arrives. No I/O here.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use super::format::VIETNAM;

/// How long an explanation stands when no date is given, and at most.
pub const DEFAULT_DAYS: i64 = 7;
pub const MAX_DAYS: i64 = 90;
/// The longest text of each field, in characters.
pub const TEXT_LIMIT: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub id: i64,
    pub indicator: String,
    pub area: String,
    pub agency: String,
    pub author: String,
    /// Why the value is what it is.
    pub why: String,
    /// What is being done about it.
    pub action: String,
    /// By when (what is being done), if said.
    #[serde(with = "crate::model::iso::date::option")]
    pub by: Option<Date>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The last day it stands.
    #[serde(with = "crate::model::iso::date")]
    pub expires_on: Date,
    /// The *số liệu đến* of the figure it explains (none if there was none yet).
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub figure_as_of: Option<OffsetDateTime>,
}

impl Explanation {
    /// Whether it still stands at `now`, the current figure being as of `current`: its last
    /// day has not passed (Vietnam time) and no newer figure has arrived.
    pub fn stands(&self, current: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        let in_date = now.to_offset(VIETNAM).date() <= self.expires_on;
        let same_figure = match (current, self.figure_as_of) {
            (Some(current), Some(explained)) => current <= explained,
            (Some(_), None) => false,
            (None, _) => true,
        };
        in_date && same_figure
    }

    /// How screens show it: "Giải trình: why · what is being done — author, time".
    pub fn note(&self, locale: super::Locale) -> String {
        format!(
            "{}: {} · {} — {}, {}",
            locale.pick("Giải trình", "Explanation"),
            self.why,
            self.action,
            self.author,
            super::format::date_time(self.created_at, locale)
        )
    }
}

/// An explanation as the screens show it and the live stream carries it: its line already
/// written in both languages ([`Explanation::note`]) and its times as milliseconds since
/// 1970 — what a screen needs to show it and to judge whether it still stands, and no more
/// (reading dates and times would add to every screen's WASM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationNote {
    pub id: i64,
    pub indicator: String,
    pub area: String,
    /// "Giải trình: why · what is being done — author, time".
    pub vi: String,
    /// The same in English.
    pub en: String,
    /// When it was written: the newest of two stands.
    pub written_ms: i64,
    /// The *số liệu đến* of the figure it explains, if there was one.
    pub figure_ms: Option<i64>,
    /// The first moment it no longer stands: 00:00 in Vietnam the day after its last day.
    pub until_ms: i64,
}

fn millis(at: OffsetDateTime) -> i64 {
    at.unix_timestamp() * 1000 + i64::from(at.millisecond())
}

impl ExplanationNote {
    pub fn of(e: &Explanation) -> ExplanationNote {
        let until = e
            .expires_on
            .next_day()
            .unwrap_or(e.expires_on)
            .midnight()
            .assume_offset(VIETNAM);
        ExplanationNote {
            id: e.id,
            indicator: e.indicator.clone(),
            area: e.area.clone(),
            vi: e.note(super::Locale::Vi),
            en: e.note(super::Locale::En),
            written_ms: millis(e.created_at),
            figure_ms: e.figure_as_of.map(millis),
            until_ms: millis(until),
        }
    }

    /// Whether it still stands at `now`, the current figure being as of `current` — the
    /// rule of [`Explanation::stands`].
    pub fn stands(&self, current: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        let same_figure = match (current, self.figure_ms) {
            (Some(current), Some(explained)) => millis(current) <= explained,
            (Some(_), None) => false,
            (None, _) => true,
        };
        millis(now) < self.until_ms && same_figure
    }

    pub fn text(&self, locale: super::Locale) -> &str {
        locale.pick(&self.vi, &self.en)
    }
}

/// What an officer sends.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplanationInput {
    pub indicator: String,
    pub area: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub action: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub by: Option<String>,
    /// `YYYY-MM-DD`; default: in [`DEFAULT_DAYS`] days.
    #[serde(default)]
    pub expires_on: Option<String>,
}

/// One thing wrong with an input: the field, why (Vietnamese, English).
pub type Problem = (&'static str, String, String);

/// The dates of an input, checked on `today` (Vietnam): (by, expires_on); or every problem.
pub fn check(input: &ExplanationInput, today: Date) -> Result<(Option<Date>, Date), Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    for (field, text) in [("why", &input.why), ("action", &input.action)] {
        if text.trim().is_empty() {
            problems.push((field, "cần nội dung".into(), "must not be empty".into()));
        } else if text.chars().count() > TEXT_LIMIT {
            problems.push((
                field,
                format!("dài quá {TEXT_LIMIT} ký tự"),
                format!("longer than {TEXT_LIMIT} characters"),
            ));
        }
    }
    let date = |field: &'static str, text: &str, problems: &mut Vec<Problem>| {
        let parsed = crate::model::iso::parse_date(text.trim());
        if parsed.is_none() {
            problems.push((
                field,
                format!("'{text}' không phải ngày dạng YYYY-MM-DD"),
                format!("'{text}' is not a date as YYYY-MM-DD"),
            ));
        }
        parsed
    };
    let by = input
        .by
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| date("by", t, &mut problems));
    if by.is_some_and(|d| d < today) {
        problems.push(("by", "đã qua".into(), "is in the past".into()));
    }
    let expires_on = match input.expires_on.as_deref().filter(|t| !t.trim().is_empty()) {
        None => Some(today + Duration::days(DEFAULT_DAYS)),
        Some(t) => date("expires_on", t, &mut problems),
    };
    if let Some(e) = expires_on {
        if e < today || e > today + Duration::days(MAX_DAYS) {
            problems.push((
                "expires_on",
                format!("phải từ hôm nay đến {MAX_DAYS} ngày tới"),
                format!("must be from today to {MAX_DAYS} days on"),
            ));
        }
    }
    match (problems.is_empty(), expires_on) {
        (true, Some(e)) => Ok((by, e)),
        _ => Err(problems),
    }
}

/// The operator's request to an agency for an explanation of a value, due by a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationRequest {
    pub id: i64,
    pub indicator: String,
    pub area: String,
    pub agency: String,
    pub requested_by: String,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub due_at: OffsetDateTime,
    pub note: String,
    /// The explanation that answered it.
    pub answered_by: Option<i64>,
}

impl ExplanationRequest {
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.answered_by.is_none() && now > self.due_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn explanation(expires_on: Date, figure_as_of: Option<OffsetDateTime>) -> Explanation {
        Explanation {
            id: 1,
            indicator: "services.ontime.rate".into(),
            area: "14".into(),
            agency: "VPUB".into(),
            author: "Cán bộ".into(),
            why: "Hệ thống một cửa lỗi".into(),
            action: "Đang khắc phục".into(),
            by: None,
            created_at: datetime!(2026-12-02 09:00 +7),
            expires_on,
            figure_as_of,
        }
    }

    #[test]
    fn an_explanation_stands_until_its_date_or_the_next_figure() {
        let as_of = datetime!(2026-12-02 08:00 +7);
        let e = explanation(date!(2026 - 12 - 09), Some(as_of));
        assert!(
            e.stands(Some(as_of), datetime!(2026-12-09 23:59 +7)),
            "all of its last day"
        );
        assert!(
            !e.stands(Some(as_of), datetime!(2026-12-10 00:00 +7)),
            "not the day after"
        );
        // 17:00 UTC on the 9th is 00:00 on the 10th in Vietnam
        assert!(!e.stands(Some(as_of), datetime!(2026-12-09 17:00 UTC)));
        // a correction of the same figure (same as_of) keeps it; the next figure ends it
        assert!(!e.stands(
            Some(as_of + Duration::minutes(1)),
            datetime!(2026-12-03 09:00 +7)
        ));
        // a figure that arrives where there was none ends an explanation of its absence
        let absent = explanation(date!(2026 - 12 - 09), None);
        assert!(absent.stands(None, datetime!(2026-12-03 09:00 +7)));
        assert!(!absent.stands(Some(as_of), datetime!(2026-12-03 09:00 +7)));
    }

    /// The screens' form of an explanation stands exactly when the explanation does.
    #[test]
    fn the_screens_note_stands_as_the_explanation_does() {
        let as_of = datetime!(2026-12-02 08:00:00.250 +7);
        for e in [
            explanation(date!(2026 - 12 - 09), Some(as_of)),
            explanation(date!(2026 - 12 - 31), None),
        ] {
            let note = ExplanationNote::of(&e);
            assert_eq!(
                note.text(crate::model::Locale::Vi),
                e.note(crate::model::Locale::Vi)
            );
            for current in [
                None,
                Some(as_of),
                Some(as_of + Duration::milliseconds(1)),
                Some(as_of + Duration::days(1)),
            ] {
                for now in [
                    datetime!(2026-12-03 09:00 +7),
                    datetime!(2026-12-09 23:59:59.999 +7),
                    datetime!(2026-12-10 00:00 +7),
                    datetime!(2026-12-31 23:59 +7),
                    datetime!(2027-01-01 00:00 +7),
                ] {
                    assert_eq!(
                        note.stands(current, now),
                        e.stands(current, now),
                        "{current:?} at {now}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_note_says_why_what_is_done_who_and_when() {
        let e = explanation(date!(2026 - 12 - 09), None);
        assert_eq!(
            e.note(crate::model::Locale::Vi),
            "Giải trình: Hệ thống một cửa lỗi · Đang khắc phục — Cán bộ, 09:00 02/12/2026"
        );
        assert!(e
            .note(crate::model::Locale::En)
            .starts_with("Explanation: Hệ thống một cửa lỗi · Đang khắc phục — Cán bộ, "));
    }

    #[test]
    fn what_an_officer_sends_is_checked_field_by_field() {
        let today = date!(2026 - 12 - 31);
        let ok = ExplanationInput {
            indicator: "x".into(),
            area: "14".into(),
            why: "Lý do".into(),
            action: "Việc đang làm".into(),
            by: Some("2027-01-15".into()),
            expires_on: None,
        };
        assert_eq!(
            check(&ok, today),
            Ok((Some(date!(2027 - 01 - 15)), date!(2027 - 01 - 07)))
        );
        let bad = ExplanationInput {
            why: " ".into(),
            action: "x".repeat(TEXT_LIMIT + 1),
            by: Some("30/12/2026".into()),
            expires_on: Some("2027-04-01".into()),
            ..ok.clone()
        };
        let fields: Vec<&str> = check(&bad, today)
            .unwrap_err()
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(fields, vec!["why", "action", "by", "expires_on"]);
        let past = ExplanationInput {
            by: Some("2026-12-30".into()),
            expires_on: Some("2027-03-31".into()),
            ..ok
        };
        let problems = check(&past, today).unwrap_err();
        assert_eq!(problems.len(), 1, "90 days on is allowed: {problems:?}");
        assert_eq!(problems[0].2, "is in the past");
    }

    #[test]
    fn a_request_is_overdue_after_its_time_until_answered() {
        let mut r = ExplanationRequest {
            id: 1,
            indicator: "x".into(),
            area: "14".into(),
            agency: "VPUB".into(),
            requested_by: "Trực ban".into(),
            requested_at: datetime!(2026-12-02 09:00 +7),
            due_at: datetime!(2026-12-02 17:00 +7),
            note: String::new(),
            answered_by: None,
        };
        assert!(!r.is_overdue(datetime!(2026-12-02 17:00 +7)));
        assert!(r.is_overdue(datetime!(2026-12-02 17:00:01 +7)));
        r.answered_by = Some(3);
        assert!(!r.is_overdue(datetime!(2026-12-03 17:00 +7)));
    }
}
