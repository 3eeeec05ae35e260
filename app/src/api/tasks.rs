//! The data of the task screens (`/tasks`, `/tasks/<id>`, `/tasks/new`), read while the
//! page renders, with the same rights as the task API ([`crate::model::task`]).

use leptos::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::model::account::{Principal, Viewer};
use crate::model::format;
use crate::model::task::{self, OnTime, RaisedFrom, Status, TaskNote, TaskRight, TaskView};
use crate::model::{Catalogue, Locale};

fn refuse(why: &str) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    ServerFnError::new(why.to_string())
}

fn today() -> Date {
    format::vietnam_date(OffsetDateTime::now_utc())
}

fn agency_name(catalogue: &Catalogue, code: &str, locale: Locale) -> String {
    catalogue
        .agency(code)
        .map_or_else(|| code.to_string(), |a| a.short(locale).to_string())
}

/// One line of the task list.
#[derive(Debug, Clone)]
pub struct TaskLine {
    pub id: i64,
    pub title: String,
    pub source: String,
    pub lead: String,
    pub status: Status,
    pub deadline: String,
    pub due: Option<Date>,
    pub updated_at: OffsetDateTime,
}

/// An agency's record, for the completion table.
#[derive(Debug, Clone)]
pub struct AgencyLine {
    pub code: String,
    pub name: String,
    pub record: OnTime,
    pub rate: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub struct TaskListData {
    pub viewer: Viewer,
    pub today: Date,
    /// `overdue`, `open`, `done` or `` (all).
    pub status: String,
    pub agency: Option<String>,
    pub lines: Vec<TaskLine>,
    pub agencies: Vec<AgencyLine>,
    /// The agencies one may filter by (every agency for who sees all).
    pub choices: Vec<(String, String)>,
    pub may_direct: bool,
    /// When the list was read.
    pub read_at: OffsetDateTime,
}

pub async fn load_list(locale: Locale, query: &str) -> Result<TaskListData, ServerFnError> {
    let principal = crate::api::current_principal().ok_or_else(|| refuse("sign in"))?;
    let ctx = expect_context::<crate::api::ServerContext>();
    let catalogue = &ctx.catalogue;
    let scope = task::scope(&principal, catalogue).ok_or_else(|| refuse("no tasks"))?;
    let location = crate::pages::Location {
        path: "/tasks".into(),
        query: query.to_string(),
    };
    let status = location.param("status").unwrap_or_default();
    let wanted = location
        .param("agency")
        .filter(|a| catalogue.agency(a).is_some());
    let agencies = match (&wanted, &scope) {
        (Some(a), None) => Some(vec![a.clone()]),
        (Some(a), Some(own)) if own.contains(a) => Some(vec![a.clone()]),
        (_, own) => own.clone(),
    };
    let today = today();
    let tasks = crate::store::tasks::list(&ctx.db, agencies.as_deref())
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let mut records: std::collections::BTreeMap<String, OnTime> = Default::default();
    let mut lines = Vec::new();
    for t in tasks {
        let s = t.status(today);
        records.entry(t.lead.clone()).or_default().add(s);
        // an unknown filter (a hand-edited address) shows every task
        if s.kept_by(&status).unwrap_or(true) {
            lines.push(TaskLine {
                id: t.id,
                title: t.title,
                source: t.source,
                lead: agency_name(catalogue, &t.lead, locale),
                status: s,
                deadline: t.deadline.label(locale),
                due: t.due,
                updated_at: t.updated_at,
            });
        }
    }
    lines.sort_by_key(|l| task::list_order(l.status, l.due, l.id));
    let mut agencies: Vec<AgencyLine> = records
        .into_iter()
        .map(|(code, record)| AgencyLine {
            name: agency_name(catalogue, &code, locale),
            rate: record.rate(),
            code,
            record,
        })
        .collect();
    // the weakest first: the lowest on-time rate, then the most overdue
    agencies.sort_by_key(|a| {
        (
            a.rate.is_none(),
            a.rate,
            std::cmp::Reverse(a.record.overdue),
        )
    });
    let choices = match &scope {
        None => catalogue
            .agencies
            .iter()
            .map(|a| (a.code.clone(), a.short(locale).to_string()))
            .collect(),
        Some(own) => own
            .iter()
            .map(|c| (c.clone(), agency_name(catalogue, c, locale)))
            .collect(),
    };
    Ok(TaskListData {
        viewer: Viewer::of(&principal, locale),
        today,
        status,
        agency: wanted,
        lines,
        agencies,
        choices,
        may_direct: task::directs(&principal)
            && !matches!(principal, Principal::AgencyToken { .. }),
        read_at: OffsetDateTime::now_utc(),
    })
}

/// The value a task was raised from, in words.
#[derive(Debug, Clone)]
pub struct RaisedLine {
    pub indicator: String,
    pub area: String,
    pub value: String,
    pub as_of: String,
}

fn raised_line(catalogue: &Catalogue, r: &RaisedFrom, locale: Locale) -> RaisedLine {
    let derived = crate::model::money::derived_indicator(
        catalogue,
        &r.indicator,
        format::vietnam_date(r.as_of),
    );
    let indicator = catalogue.indicator(&r.indicator).or(derived.as_ref());
    let value = match indicator {
        Some(i) => format::quantity(r.value, i.unit, locale).to_string(),
        None => r.value.to_string(),
    };
    RaisedLine {
        indicator: indicator.map_or_else(|| r.indicator.clone(), |i| i.name(locale).to_string()),
        area: match r
            .project
            .as_deref()
            .and_then(|p| crate::model::services::department_desk(catalogue, &r.indicator, p))
        {
            Some(department) => department.name(locale).to_string(),
            None => catalogue
                .area(&r.area)
                .map_or_else(|| r.area.clone(), |a| a.name_vi.clone()),
        },
        value,
        as_of: format::date_time(r.as_of, locale),
    }
}

#[derive(Debug, Clone)]
pub struct TaskPageData {
    pub viewer: Viewer,
    pub task: TaskView,
    pub lead: String,
    pub coordinating: Vec<String>,
    pub notes: Vec<TaskNote>,
    pub raised: Option<RaisedLine>,
    pub may_report: bool,
    pub may_close: bool,
    pub read_at: OffsetDateTime,
}

pub async fn load_one(locale: Locale, id: i64) -> Result<TaskPageData, ServerFnError> {
    let principal = crate::api::current_principal().ok_or_else(|| refuse("sign in"))?;
    let ctx = expect_context::<crate::api::ServerContext>();
    let catalogue = &ctx.catalogue;
    let office = catalogue.directives_office.as_deref().unwrap_or("");
    let groups = task::groups_of(&principal, catalogue);
    let mut conn = ctx
        .db
        .acquire()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let found = crate::store::tasks::get(&mut conn, id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .filter(|t| task::may(&principal, TaskRight::Read, t, office, &groups));
    let Some(t) = found else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return Err(ServerFnError::new("no such task"));
    };
    let notes = crate::store::tasks::notes(&mut conn, id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let may_report = task::may(&principal, TaskRight::Report, &t, office, &groups);
    let may_close = task::may(&principal, TaskRight::Close, &t, office, &groups);
    Ok(TaskPageData {
        viewer: Viewer::of(&principal, locale),
        lead: agency_name(catalogue, &t.lead, locale),
        coordinating: t
            .coordinating
            .iter()
            .map(|c| agency_name(catalogue, c, locale))
            .chain(t.other_parties.iter().cloned())
            .collect(),
        raised: t
            .raised_from
            .as_ref()
            .map(|r| raised_line(catalogue, r, locale)),
        task: TaskView {
            status: t.status(today()),
            today: today(),
            task: t,
        },
        notes,
        may_report,
        may_close,
        read_at: OffsetDateTime::now_utc(),
    })
}

/// The new-directive form, filled in from the value it is raised from.
#[derive(Debug, Clone)]
pub struct NewTaskData {
    pub viewer: Viewer,
    pub agencies: Vec<(String, String)>,
    pub title: String,
    pub source: String,
    pub lead: String,
    pub deadline: String,
    pub raised: Option<(RaisedFrom, RaisedLine)>,
}

pub async fn load_new(locale: Locale, query: &str) -> Result<NewTaskData, ServerFnError> {
    let principal = crate::api::current_principal().ok_or_else(|| refuse("sign in"))?;
    if !task::directs(&principal) || matches!(principal, Principal::AgencyToken { .. }) {
        return Err(refuse("only leaders and operators assign tasks"));
    }
    let ctx = expect_context::<crate::api::ServerContext>();
    let catalogue = &ctx.catalogue;
    let location = crate::pages::Location {
        path: "/tasks/new".into(),
        query: query.to_string(),
    };
    let today = today();
    // the value it is raised from, if the link carried one the catalogue knows
    let raised = (|| {
        let indicator = location.param("indicator")?;
        let derived = crate::model::money::derived_indicator(catalogue, &indicator, today);
        let known = catalogue.indicator(&indicator).or(derived.as_ref())?;
        let area = location
            .param("area")
            .filter(|a| catalogue.area(a).is_some())?;
        let value: Decimal = location.param("value")?.parse().ok()?;
        let as_of = OffsetDateTime::parse(
            &location.param("as_of")?,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()?;
        let r = RaisedFrom {
            indicator: indicator.clone(),
            area,
            project: location.param("project").filter(|p| {
                catalogue.project(p).is_some()
                    || crate::model::services::department_desk(catalogue, &indicator, p).is_some()
            }),
            value,
            unit: known.unit.code().to_string(),
            as_of,
        };
        let line = raised_line(catalogue, &r, locale);
        // a service desk's figure is the department's to remedy, not the owner's
        let lead = r
            .project
            .as_deref()
            .and_then(|p| crate::model::services::department_desk(catalogue, &indicator, p))
            .map_or_else(|| known.agency.clone(), |a| a.code.clone());
        Some((r, line, lead))
    })();
    let in_two_weeks = today + time::Duration::days(14);
    let (title, lead) = match &raised {
        Some((_, line, owner)) => (
            format!(
                "{}: {} {} ({})",
                locale.pick("Khắc phục", "Remedy"),
                line.indicator,
                line.value,
                line.area
            ),
            owner.clone(),
        ),
        None => (String::new(), String::new()),
    };
    Ok(NewTaskData {
        viewer: Viewer::of(&principal, locale),
        agencies: catalogue
            .agencies
            .iter()
            .map(|a| (a.code.clone(), a.short(locale).to_string()))
            .collect(),
        title,
        source: format!(
            "{} {}",
            locale.pick(
                "Chỉ đạo của lãnh đạo UBND tỉnh ngày",
                "Direction of the PPC leadership of"
            ),
            format::date(today, Locale::Vi)
        ),
        lead,
        deadline: format!("Trước {}", format::date(in_two_weeks, Locale::Vi)),
        raised: raised.map(|(r, line, _)| (r, line)),
    })
}
