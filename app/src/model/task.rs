//! Directives and tasks (nhiệm vụ được giao): what a task is, the status it has on a given
//! day, who may do what with it, and the on-time completion rate of an agency.
//!
//! What the agencies post is the task's *progress* (not started, in progress, done on a
//! day); its *status* — including overdue and done late — follows from that progress, the
//! deadline and the day, and is never stored, so it cannot go stale: a task becomes overdue
//! at the first moment of the day after it falls due (Vietnam time), on every screen at once.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::account::{Principal, Role};
use super::deadline::Deadline;
use super::i18n::Locale;

/// What the lead agency reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    NotStarted,
    InProgress,
    Done,
}

/// Where a task stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Past its deadline and not done (first when sorted).
    Overdue,
    NotStarted,
    InProgress,
    DoneLate,
    Done,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Overdue,
        Status::NotStarted,
        Status::InProgress,
        Status::DoneLate,
        Status::Done,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::DoneLate => "done_late",
            Status::Done => "done",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Status::Overdue => locale.pick("Quá hạn", "Overdue"),
            Status::NotStarted => locale.pick("Chưa thực hiện", "Not started"),
            Status::InProgress => locale.pick("Đang thực hiện", "In progress"),
            Status::DoneLate => locale.pick("Hoàn thành quá hạn", "Done late"),
            Status::Done => locale.pick("Hoàn thành", "Done"),
        }
    }

    /// Whether a task in this status is kept by the list filter `filter`: `overdue`, `open`
    /// (not done, overdue included), `done` (on time or late), a status code, or `` / `all`.
    /// None for a filter that is none of these.
    pub fn kept_by(self, filter: &str) -> Option<bool> {
        Some(match filter {
            "" | "all" => true,
            "open" => self.is_open(),
            "done" => matches!(self, Status::Done | Status::DoneLate),
            code => self == Status::ALL.into_iter().find(|s| s.code() == code)?,
        })
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Overdue | Status::NotStarted | Status::InProgress
        )
    }
}

/// The value a task was raised from: a red tile, a ranking row or a map commune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaisedFrom {
    pub indicator: String,
    pub area: String,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub project: Option<String>,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
    pub unit: String,
    /// The figure's "số liệu đến".
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
}

/// A task as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    /// The directive or document it comes from: "Kế hoạch 283/KH-UBND ngày 13/02/2025".
    pub source: String,
    /// The lead agency's code.
    pub lead: String,
    /// The coordinating agencies' codes.
    pub coordinating: Vec<String>,
    /// Other coordinating parties the source names in words, not as agencies ("Các cơ quan,
    /// đơn vị đã có kho dữ liệu", "đơn vị cung cấp dịch vụ"): shown, but they see nothing.
    #[serde(default, skip_serializing_if = "crate::model::compact::empty")]
    pub other_parties: Vec<String>,
    /// The expected output (sản phẩm / kết quả).
    pub output: String,
    /// The deadline as the source wrote it.
    pub deadline_text: String,
    pub deadline: Deadline,
    /// The day it falls due, where it has one.
    pub due: Option<Date>,
    pub progress: Progress,
    /// The day it was done (Vietnam time).
    pub done_on: Option<Date>,
    /// The day of its latest progress note, for recurring tasks.
    pub reported_on: Option<Date>,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub raised_from: Option<RaisedFrom>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Counts the changes, from 1: a change sent with an older version is refused.
    pub version: i64,
}

/// What a note in a task's history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Created,
    Progress,
    Attachment,
    Done,
    Reopened,
}

/// One entry of a task's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskNote {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The day (Vietnam) it reports on.
    pub on_day: Date,
    pub author: String,
    /// The author's agency, for officers and agency systems.
    pub agency: Option<String>,
    pub kind: NoteKind,
    /// The progress it reports, if it changed it.
    pub progress: Option<Progress>,
    pub body: String,
    /// A link to an attached document.
    pub link: Option<String>,
}

impl Task {
    /// The task's status on `today` (a day in Vietnam).
    ///
    /// * done: *done late* when done after the day it fell due, else *done*;
    /// * not done, with a day it falls due: *overdue* from the day after;
    /// * recurring ("hằng quý"): *overdue* once a period that began after the task was created
    ///   has ended without a progress note dated in it;
    /// * otherwise what the agency reports (not started, in progress).
    pub fn status(&self, today: Date) -> Status {
        status(
            &self.deadline,
            self.progress,
            self.done_on,
            self.reported_on,
            created_on(self.created_at),
            today,
        )
    }

    /// Whether the agency `agency` (a member of `groups`) leads or coordinates this task,
    /// itself or through one of its groups.
    pub fn involves(&self, agency: &str, groups: &[String]) -> bool {
        led_or_coordinated_by(&self.lead, &self.coordinating, |code| {
            code == agency || groups.iter().any(|g| g == code)
        })
    }
}

/// Whether a task led by `lead` and coordinated by `coordinating` is led or coordinated by
/// an agency that `is` names.
pub fn led_or_coordinated_by(
    lead: &str,
    coordinating: &[String],
    is: impl Fn(&str) -> bool,
) -> bool {
    is(lead) || coordinating.iter().any(|c| is(c))
}

/// A task as a system or a person submits it (`POST /api/v1/tasks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    /// The directive or document, e.g. "Kế hoạch 283/KH-UBND ngày 13/02/2025".
    pub source: String,
    /// The lead agency: its code, or its name as documents write it.
    pub lead: String,
    #[serde(default)]
    pub coordinating: Vec<String>,
    #[serde(default)]
    pub output: String,
    /// The deadline as written: "Quý I/2026", "Trước 30/6/2026", "Thường xuyên", …
    pub deadline: String,
    /// The plan's year, for deadlines written without one ("Quý II").
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub plan_year: Option<i32>,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub raised_from: Option<RaisedFrom>,
}

/// A report on a task (`POST /api/v1/tasks/<id>/notes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// `progress`, `attachment`, `done` or `reopened`.
    pub kind: NoteKind,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub link: Option<String>,
    /// The task's version the report was made against.
    pub version: i64,
}

/// A task with its status on the day it is shown, as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: Task,
    pub status: Status,
    /// The day the status is for (Vietnam).
    pub today: Date,
}

/// The address of the new-directive form filled in from a figure: the link a red tile or
/// a red commune shows to those who may assign tasks.
pub fn directive_link(
    indicator: &str,
    area: &str,
    project: Option<&str>,
    value: Decimal,
    as_of: OffsetDateTime,
    locale: Locale,
) -> Option<String> {
    fn encoded(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let as_of = as_of
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(format!(
        "/tasks/new?indicator={}&area={}{}&value={}&as_of={}{}",
        encoded(indicator),
        encoded(area),
        project
            .map(|p| format!("&project={}", encoded(p)))
            .unwrap_or_default(),
        encoded(&value.normalize().to_string()),
        encoded(&as_of),
        if locale == Locale::En { "&lang=en" } else { "" },
    ))
}

/// The day in Vietnam a moment falls on.
pub fn created_on(at: OffsetDateTime) -> Date {
    at.to_offset(super::format::VIETNAM).date()
}

/// See [`Task::status`].
pub fn status(
    deadline: &Deadline,
    progress: Progress,
    done_on: Option<Date>,
    reported_on: Option<Date>,
    created_on: Date,
    today: Date,
) -> Status {
    if progress == Progress::Done {
        return match (deadline.due(), done_on) {
            (Some(due), Some(done)) if done > due => Status::DoneLate,
            _ => Status::Done,
        };
    }
    if let Some(due) = deadline.due() {
        if today > due {
            return Status::Overdue;
        }
    }
    // the latest period whose report has fallen due: owed if the task existed when it
    // began, and overdue without a progress note dated in it
    if let Some(periods) = deadline.recurring_periods(today) {
        if let Some((period, _)) = periods.into_iter().find(|(_, due)| *due < today) {
            let owed = period.start() >= created_on;
            let reported = reported_on.is_some_and(|d| d >= period.start());
            if owed && !reported {
                return Status::Overdue;
            }
        }
    }
    match progress {
        Progress::NotStarted => Status::NotStarted,
        _ => Status::InProgress,
    }
}

/// Where a task stands in a list: overdue first, then by the day it falls due (those
/// without one last), then oldest first.
pub fn list_order(status: Status, due: Option<Date>, id: i64) -> impl Ord {
    (status != Status::Overdue, due.is_none(), due, id)
}

/// The groups the agency of `who` (an officer or an agency system) belongs to.
pub fn groups_of(who: &Principal, catalogue: &super::Catalogue) -> Vec<String> {
    match who {
        Principal::User {
            agency: Some(a), ..
        }
        | Principal::AgencyToken { agency: a, .. } => catalogue.groups_of(a),
        _ => Vec::new(),
    }
}

/// The tasks `who` may list: `Some(None)` every task; `Some(Some(codes))` those led or
/// coordinated by its agency or one of the agency's groups (`codes`); `None` no task at
/// all (a display, an officer without an agency).
pub fn scope(who: &Principal, catalogue: &super::Catalogue) -> Option<Option<Vec<String>>> {
    let own = |agency: &String| {
        let mut codes = vec![agency.clone()];
        codes.extend(groups_of(who, catalogue));
        codes
    };
    match who {
        Principal::User { role, agency, .. } => match role {
            Role::Admin | Role::Leader | Role::Operator => Some(None),
            Role::AgencyOfficer => agency.as_ref().map(|a| Some(own(a))),
        },
        Principal::AgencyToken { agency, .. } => {
            let office = catalogue.directives_office.as_deref();
            Some((Some(agency.as_str()) != office).then(|| own(agency)))
        }
        Principal::Display { .. } => None,
    }
}

/// Whether `who` may create tasks at all (which ones: [`may`] with [`TaskRight::Direct`]).
pub fn directs(who: &Principal) -> bool {
    match who {
        Principal::User { role, .. } => {
            matches!(role, Role::Admin | Role::Leader | Role::Operator)
        }
        Principal::AgencyToken { .. } => true,
        Principal::Display { .. } => false,
    }
}

/// What one may do with tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskRight {
    /// See the task with its notes, attachments and the value it was raised from.
    Read,
    /// Post a progress note or an attachment.
    Report,
    /// Mark it done (or reopen it).
    Close,
    /// Change what the task is (title, deadline, agencies) or create one.
    Direct,
}

/// Whether `who` may do `right` with `task`; `groups` are the groups `who`'s agency
/// belongs to. Leaders and operators (acting for a leader) direct; an agency officer reads
/// and reports on the tasks its agency leads or coordinates (itself or through a group),
/// and closes those it leads itself (a group's task is closed by a leader); the province's
/// directives office's token (`directives_office`) directs any, another agency's token the
/// tasks its agency leads; a display sees no task (the wall shows counts, not tasks).
pub fn may(
    who: &Principal,
    right: TaskRight,
    task: &Task,
    directives_office: &str,
    groups: &[String],
) -> bool {
    match who {
        Principal::User { role, agency, .. } => match role {
            Role::Admin | Role::Leader | Role::Operator => true,
            Role::AgencyOfficer => {
                let Some(agency) = agency.as_deref() else {
                    return false;
                };
                match right {
                    TaskRight::Read | TaskRight::Report => task.involves(agency, groups),
                    TaskRight::Close => task.lead == agency,
                    TaskRight::Direct => false,
                }
            }
        },
        Principal::AgencyToken { agency, .. } => {
            agency == directives_office
                || match right {
                    TaskRight::Read | TaskRight::Report => task.involves(agency, groups),
                    TaskRight::Close | TaskRight::Direct => task.lead == *agency,
                }
        }
        Principal::Display { .. } => false,
    }
}

/// An agency's record on the tasks due so far: done on time, done late, overdue, and the
/// on-time rate — done on time ÷ every task that has fallen due (done or not) — in percent.
/// Tasks not yet due, ongoing or set by another body do not count until done; a task done
/// before its deadline counts as on time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OnTime {
    pub done: u32,
    pub done_late: u32,
    pub overdue: u32,
    pub open: u32,
}

impl OnTime {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Done => self.done += 1,
            Status::DoneLate => self.done_late += 1,
            Status::Overdue => self.overdue += 1,
            Status::NotStarted | Status::InProgress => self.open += 1,
        }
    }

    /// Done on time as a share of what has fallen due, in percent; None when nothing has.
    pub fn rate(&self) -> Option<Decimal> {
        let judged = self.done + self.done_late + self.overdue;
        (judged > 0).then(|| {
            (Decimal::from(self.done) * Decimal::ONE_HUNDRED / Decimal::from(judged)).round_dp(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn at(deadline: &str, progress: Progress, done_on: Option<Date>, today: Date) -> Status {
        let d = Deadline::parse(deadline, None).unwrap();
        status(&d, progress, done_on, None, date!(2026 - 01 - 05), today)
    }

    #[test]
    fn a_quarter_task_is_overdue_from_the_first_day_of_the_next_quarter() {
        use Progress::*;
        assert_eq!(
            at("Quý I/2026", InProgress, None, date!(2026 - 03 - 31)),
            Status::InProgress
        );
        assert_eq!(
            at("Quý I/2026", InProgress, None, date!(2026 - 04 - 01)),
            Status::Overdue
        );
        assert_eq!(
            at("Quý I/2026", NotStarted, None, date!(2026 - 03 - 31)),
            Status::NotStarted
        );
        assert_eq!(
            at("Quý IV/2026", NotStarted, None, date!(2026 - 12 - 31)),
            Status::NotStarted
        );
        assert_eq!(
            at("Quý IV/2026", NotStarted, None, date!(2027 - 01 - 01)),
            Status::Overdue
        );
    }

    #[test]
    fn a_year_task_turns_on_31_december_and_a_leap_day_task_on_1_march() {
        use Progress::*;
        assert_eq!(
            at("Năm 2026", InProgress, None, date!(2026 - 12 - 31)),
            Status::InProgress
        );
        assert_eq!(
            at("Năm 2026", InProgress, None, date!(2027 - 01 - 01)),
            Status::Overdue
        );
        let leap = "Trước 29/02/2028";
        assert_eq!(
            at(leap, InProgress, None, date!(2028 - 02 - 29)),
            Status::InProgress
        );
        assert_eq!(
            at(leap, InProgress, None, date!(2028 - 03 - 01)),
            Status::Overdue
        );
        assert_eq!(
            at("Tháng 2/2028", InProgress, None, date!(2028 - 02 - 29)),
            Status::InProgress
        );
        assert_eq!(
            at("Tháng 2/2028", InProgress, None, date!(2028 - 03 - 01)),
            Status::Overdue
        );
    }

    #[test]
    fn done_on_the_deadline_is_on_time_and_the_day_after_is_late() {
        use Progress::Done;
        let today = date!(2026 - 06 - 01);
        assert_eq!(
            at("Quý I/2026", Done, Some(date!(2026 - 03 - 31)), today),
            Status::Done
        );
        assert_eq!(
            at("Quý I/2026", Done, Some(date!(2026 - 04 - 01)), today),
            Status::DoneLate
        );
        assert_eq!(
            at("Quý I/2026", Done, Some(date!(2026 - 01 - 10)), today),
            Status::Done
        );
        // ongoing work is done whenever it is closed
        assert_eq!(
            at("Thường xuyên", Done, Some(date!(2026 - 05 - 01)), today),
            Status::Done
        );
    }

    #[test]
    fn ongoing_and_external_tasks_are_never_overdue() {
        use Progress::*;
        for d in ["Thường xuyên", "Theo lộ trình của Bộ Công an"] {
            assert_eq!(
                at(d, InProgress, None, date!(2030 - 01 - 01)),
                Status::InProgress
            );
        }
    }

    #[test]
    fn a_recurring_task_is_overdue_when_a_whole_period_passed_without_a_report() {
        let quarterly = Deadline::parse("Hằng quý", None).unwrap();
        let created = date!(2026 - 02 - 10);
        let s = |reported: Option<Date>, today: Date| {
            status(
                &quarterly,
                Progress::InProgress,
                None,
                reported,
                created,
                today,
            )
        };
        // Q1 began before the task existed: nothing is owed for it
        assert_eq!(s(None, date!(2026 - 04 - 15)), Status::InProgress);
        // Q2 ended on 30 June without a note
        assert_eq!(s(None, date!(2026 - 06 - 30)), Status::InProgress);
        assert_eq!(s(None, date!(2026 - 07 - 01)), Status::Overdue);
        assert_eq!(
            s(Some(date!(2026 - 06 - 30)), date!(2026 - 07 - 01)),
            Status::InProgress
        );
        assert_eq!(
            s(Some(date!(2026 - 03 - 30)), date!(2026 - 07 - 01)),
            Status::Overdue
        );
        // the yearly one across 31 December
        let yearly = Deadline::parse("Hằng năm", None).unwrap();
        let y = |reported: Option<Date>, today: Date| {
            status(
                &yearly,
                Progress::InProgress,
                None,
                reported,
                date!(2025 - 12 - 31),
                today,
            )
        };
        assert_eq!(y(None, date!(2026 - 12 - 31)), Status::InProgress);
        assert_eq!(y(None, date!(2027 - 01 - 01)), Status::Overdue);
        assert_eq!(
            y(Some(date!(2026 - 12 - 31)), date!(2027 - 01 - 01)),
            Status::InProgress
        );
        // due on the 20th of each quarter's last month: overdue from the 21st
        let twentieth = Deadline::parse("ngày 20 tháng cuối quý", None).unwrap();
        let q = |reported: Option<Date>, today: Date| {
            status(
                &twentieth,
                Progress::InProgress,
                None,
                reported,
                date!(2026 - 03 - 31),
                today,
            )
        };
        assert_eq!(q(None, date!(2026 - 06 - 20)), Status::InProgress);
        assert_eq!(q(None, date!(2026 - 06 - 21)), Status::Overdue);
        assert_eq!(
            q(Some(date!(2026 - 06 - 19)), date!(2026 - 06 - 21)),
            Status::InProgress
        );
    }

    #[test]
    fn a_directive_link_carries_the_figure_exactly() {
        let at = time::macros::datetime!(2026-12-02 17:00 +07:00);
        let link = directive_link(
            "services.online.rate",
            "03646",
            None,
            Decimal::new(215, 1),
            at,
            Locale::Vi,
        )
        .unwrap();
        assert_eq!(
            link,
            "/tasks/new?indicator=services.online.rate&area=03646&value=21.5&as_of=2026-12-02T17%3A00%3A00%2B07%3A00"
        );
        assert!(
            directive_link("a", "14", None, Decimal::ONE, at, Locale::En)
                .unwrap()
                .ends_with("&lang=en")
        );
        // a department's service desk travels as the figure's project
        assert!(directive_link(
            "services.desk.overdue",
            "14",
            Some("SXD"),
            Decimal::ONE,
            at,
            Locale::Vi
        )
        .unwrap()
        .starts_with("/tasks/new?indicator=services.desk.overdue&area=14&project=SXD&value=1&"));
    }

    #[test]
    fn the_on_time_rate_counts_what_has_fallen_due() {
        let mut r = OnTime::default();
        assert_eq!(r.rate(), None);
        for s in [
            Status::Done,
            Status::Done,
            Status::DoneLate,
            Status::Overdue,
            Status::InProgress,
        ] {
            r.add(s);
        }
        assert_eq!(r.rate(), Some(Decimal::from(50)));
        assert_eq!((r.open, r.overdue), (1, 1));
    }

    fn task(lead: &str, coordinating: &[&str]) -> Task {
        Task {
            id: 1,
            title: "t".into(),
            source: "s".into(),
            lead: lead.into(),
            coordinating: coordinating.iter().map(|c| c.to_string()).collect(),
            other_parties: Vec::new(),
            output: String::new(),
            deadline_text: "Năm 2026".into(),
            deadline: Deadline::Year { year: 2026 },
            due: Some(date!(2026 - 12 - 31)),
            progress: Progress::NotStarted,
            done_on: None,
            reported_on: None,
            raised_from: None,
            created_by: "x".into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn an_officer_reports_on_what_the_agency_leads_or_coordinates_and_closes_what_it_leads() {
        let officer = |agency: &str| Principal::User {
            id: 1,
            username: "u".into(),
            name: "u".into(),
            role: Role::AgencyOfficer,
            agency: Some(agency.into()),
        };
        let t = task("STC", &["SXD"]);
        let office = "VPUB";
        let none: &[String] = &[];
        for right in [TaskRight::Read, TaskRight::Report, TaskRight::Close] {
            assert!(may(&officer("STC"), right, &t, office, none), "{right:?}");
            assert!(!may(&officer("SYT"), right, &t, office, none), "{right:?}");
        }
        assert!(may(&officer("SXD"), TaskRight::Report, &t, office, none));
        assert!(!may(&officer("SXD"), TaskRight::Close, &t, office, none));
        assert!(!may(&officer("STC"), TaskRight::Direct, &t, office, none));
        let display = Principal::Display {
            id: 1,
            name: "wall".into(),
        };
        assert!(!may(&display, TaskRight::Read, &t, office, none));
        // a task of "all communes": each commune reads and reports, none closes it for all
        let communes = task("UBND-XA", &[]);
        let member = ["UBND-XA".to_string()];
        assert!(may(
            &officer("UBND-03646"),
            TaskRight::Report,
            &communes,
            office,
            &member
        ));
        assert!(!may(
            &officer("UBND-03646"),
            TaskRight::Close,
            &communes,
            office,
            &member
        ));
        assert!(!may(
            &officer("STC"),
            TaskRight::Read,
            &communes,
            office,
            none
        ));
        let leader = Principal::User {
            id: 2,
            username: "l".into(),
            name: "l".into(),
            role: Role::Leader,
            agency: None,
        };
        assert!(may(&leader, TaskRight::Direct, &t, office, none));
        assert!(may(&leader, TaskRight::Close, &communes, office, none));
        let token = |agency: &str| Principal::AgencyToken {
            id: 1,
            agency: agency.into(),
        };
        assert!(may(&token("VPUB"), TaskRight::Direct, &t, office, none));
        assert!(may(&token("STC"), TaskRight::Direct, &t, office, none));
        assert!(!may(&token("SXD"), TaskRight::Direct, &t, office, none));
        assert!(may(&token("SXD"), TaskRight::Read, &t, office, none));
        assert!(!may(&token("SYT"), TaskRight::Read, &t, office, none));
    }
}
