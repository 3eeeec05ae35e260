//! Directives and tasks over HTTP (`/api/v1/tasks`, documented in the README).
//!
//! Who may see and change a task is decided by [`app::model::task::may`] before anything is
//! read or written: leaders, operators and administrators see and direct every task; an
//! agency officer sees the tasks their agency leads or coordinates, reports on them, and
//! closes those it leads; an agency system's token sees and creates its agency's tasks (the
//! province's directives office's token, every agency's); a display sees none. A task that
//! may not be seen answers 404, as one that does not exist.
//!
//! Every change is written with its history note and audit entry in one transaction
//! ([`app::store::tasks`]); creating a task takes an `Idempotency-Key`, so a retried request
//! creates it once; a report names the version it was made against, and one made against
//! an older version is refused (409), so two officers never overwrite each other unseen.

pub mod agency_names;
pub mod form;
pub mod import;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

use crate::auth::callers::ClientAddress;
use crate::error::ApiFailure;
use crate::export::{Cell, Format, Table};
use crate::state::AppState;
use agency_names::AgencyNames;
use app::model::account::{Principal, Role};
use app::model::deadline::Deadline;
use app::model::ingest::ItemProblem;
use app::model::task::{
    self, NoteKind, OnTime, RaisedFrom, ReportInput, Status, Task, TaskInput, TaskRight, TaskView,
};
use app::model::{Catalogue, Locale};
use app::store::idempotency::{self, StoredResponse, Submitter};
use app::store::tasks::{self as store, Author, Changed, NewTask, Report, ReportError};

/// Longest title, source, output and note, in characters.
const MAX_TITLE: usize = 500;
const MAX_SOURCE: usize = 300;
const MAX_OUTPUT: usize = 2_000;
const MAX_NOTE: usize = 4_000;
const MAX_LINK: usize = 2_000;

/// Today in Vietnam.
pub fn today() -> Date {
    app::model::format::vietnam_date(OffsetDateTime::now_utc())
}

fn problem(field: &str, code: &str, vi: impl Into<String>, en: impl Into<String>) -> ItemProblem {
    ItemProblem {
        index: 0,
        line: None,
        field: field.into(),
        code: code.into(),
        message_vi: vi.into(),
        message_en: en.into(),
    }
}

fn text_field(
    problems: &mut Vec<ItemProblem>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && value.is_empty() {
        problems.push(problem(
            field,
            "required",
            format!("Trường '{field}' không được để trống."),
            format!("'{field}' must not be empty."),
        ));
    } else if value.chars().count() > max {
        problems.push(problem(
            field,
            "too_long",
            format!("Trường '{field}' dài quá {max} ký tự."),
            format!("'{field}' is longer than {max} characters."),
        ));
    }
    value
}

/// Checks a submitted task against the catalogue: every field named with its reason.
pub fn validate(
    input: &TaskInput,
    catalogue: &Catalogue,
    names: &AgencyNames,
    now: OffsetDateTime,
) -> Result<NewTask, Vec<ItemProblem>> {
    let mut problems = Vec::new();
    let title = text_field(&mut problems, "title", &input.title, true, MAX_TITLE);
    let source = text_field(&mut problems, "source", &input.source, true, MAX_SOURCE);
    let output = text_field(&mut problems, "output", &input.output, false, MAX_OUTPUT);
    let unknown = |field: String, name: &str| {
        problem(
            &field,
            "unknown_agency",
            format!("Không có cơ quan '{name}' trong danh mục cơ quan của tỉnh."),
            format!("No agency '{name}' in the province's list of agencies."),
        )
    };
    let lead = names.code(&input.lead).map(str::to_string);
    if lead.is_none() {
        problems.push(unknown("lead".into(), &input.lead));
    }
    let mut coordinating: Vec<String> = Vec::new();
    let mut other_parties: Vec<String> = Vec::new();
    for (i, name) in input.coordinating.iter().enumerate() {
        let field = format!("coordinating[{i}]");
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = name.trim_end_matches(['.', ';', ',']);
        match names.code(name) {
            None if names_a_body(name) => problems.push(unknown(field, name)),
            None if name.is_empty() => {}
            None => other_parties.push(name.to_string()),
            Some(code) if Some(code) == lead.as_deref() => problems.push(problem(
                &field,
                "lead_also_coordinating",
                format!("'{name}' đã là cơ quan chủ trì."),
                format!("'{name}' is already the lead agency."),
            )),
            Some(code) if coordinating.iter().any(|c| c == code) => problems.push(problem(
                &field,
                "duplicate_agency",
                format!("'{name}' đã có trong danh sách phối hợp."),
                format!("'{name}' is already among the coordinating agencies."),
            )),
            Some(code) => coordinating.push(code.to_string()),
        }
    }
    if let Some(year) = input.plan_year.filter(|y| !(2000..=2100).contains(y)) {
        problems.push(problem(
            "plan_year",
            "out_of_range",
            format!("Năm kế hoạch {year} không hợp lệ."),
            format!("{year} is not a plan year."),
        ));
    }
    let deadline_text = input
        .deadline
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let deadline = match Deadline::parse(&deadline_text, input.plan_year) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(problem(
                "deadline",
                e.code,
                format!("Thời hạn '{}': {}.", input.deadline, e.reason_vi),
                format!("Deadline '{}': {}.", input.deadline, e.reason_en),
            ));
            None
        }
    };
    if let Some(raised) = &input.raised_from {
        check_raised_from(&mut problems, raised, catalogue, now);
    }
    match (lead, deadline) {
        (Some(lead), Some(deadline)) if problems.is_empty() => Ok(NewTask {
            title,
            source,
            lead,
            coordinating,
            other_parties,
            output,
            deadline_text,
            deadline,
            raised_from: input.raised_from.clone(),
        }),
        _ => Err(problems),
    }
}

/// Whether a name names one particular body ("Sở …", "UBND xã …", "Ban Quản lý …"), which
/// must then be an agency of the province, rather than describing parties in words ("Các
/// cơ quan, đơn vị liên quan", "đơn vị cung cấp dịch vụ"), which is kept as written.
pub fn names_a_body(name: &str) -> bool {
    let n = agency_names::normalise(name);
    // central bodies and enterprises take part in a plan but are not the province's
    // agencies: named, kept as written
    let outside = [
        "văn phòng chính phủ",
        "chính phủ",
        "thủ tướng",
        "bộ ",
        "các bộ",
        "ủy ban quốc gia",
        "tập đoàn",
        "tổng công ty",
        "công ty",
        "doanh nghiệp",
    ];
    if outside.iter().any(|p| n.starts_with(p)) && !n.starts_with("bộ chỉ huy") {
        return false;
    }
    [
        "sở ",
        "ban ",
        "ubnd ",
        "ủy ban ",
        "văn phòng ",
        "vp ",
        "công an ",
        "thanh tra ",
        "kho bạc ",
        "cục ",
        "chi cục ",
        "bộ ",
        "trung tâm ",
        "phòng ",
        "thuế ",
        "ngân hàng ",
        "bộ chỉ huy ",
        "hội ",
        "liên đoàn ",
        "đài ",
        "báo ",
        "trường ",
        "bệnh viện ",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

fn check_raised_from(
    problems: &mut Vec<ItemProblem>,
    raised: &RaisedFrom,
    catalogue: &Catalogue,
    now: OffsetDateTime,
) {
    // a tile may show a sum of projects (the disbursement rate), which no province file lists
    let derived = app::model::money::derived_indicator(
        catalogue,
        &raised.indicator,
        app::model::format::vietnam_date(now),
    );
    match catalogue.indicator(&raised.indicator).or(derived.as_ref()) {
        None => problems.push(problem(
            "raised_from.indicator",
            "unknown_indicator",
            format!("Không có chỉ tiêu '{}'.", raised.indicator),
            format!("No indicator '{}'.", raised.indicator),
        )),
        Some(indicator) if indicator.unit.code() != raised.unit => problems.push(problem(
            "raised_from.unit",
            "unit_mismatch",
            format!("Đơn vị của chỉ tiêu là '{}'.", indicator.unit.code()),
            format!("The indicator's unit is '{}'.", indicator.unit.code()),
        )),
        Some(_) => {}
    }
    if catalogue.area(&raised.area).is_none() {
        problems.push(problem(
            "raised_from.area",
            "unknown_area",
            format!("Không có đơn vị hành chính '{}'.", raised.area),
            format!("No area '{}'.", raised.area),
        ));
    }
    if let Some(project) = raised.project.as_ref().filter(|p| {
        catalogue.project(p).is_none()
            && app::model::services::department_desk(catalogue, &raised.indicator, p).is_none()
    }) {
        problems.push(problem(
            "raised_from.project",
            "unknown_project",
            format!("Không có dự án '{project}'."),
            format!("No project '{project}'."),
        ));
    }
    if raised.as_of > now + time::Duration::minutes(5) {
        problems.push(problem(
            "raised_from.as_of",
            "in_the_future",
            "Thời điểm số liệu ở tương lai.",
            "The figure's as-of time is in the future.",
        ));
    }
}

fn groups(state: &AppState, who: &Principal) -> Vec<String> {
    task::groups_of(who, &state.catalogue)
}

/// The tasks `who` may list (see [`task::scope`]); a refusal for who may see none.
fn scope(state: &AppState, who: &Principal) -> Result<Option<Vec<String>>, ApiFailure> {
    task::scope(who, &state.catalogue).ok_or_else(|| {
        ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản này không xem được nhiệm vụ (màn hình treo tường chỉ hiện số liệu tổng hợp).",
            "This account may not see tasks (a wall display shows totals only).",
        )
    })
}

fn office(state: &AppState) -> &str {
    state.catalogue.directives_office.as_deref().unwrap_or("")
}

fn view(task: Task, today: Date) -> TaskView {
    TaskView {
        status: task.status(today),
        task,
        today,
    }
}

/// An agency's record on the tasks it leads.
#[derive(Debug, Serialize)]
struct AgencyRecord {
    agency: String,
    #[serde(flatten)]
    record: OnTime,
    /// Done on time as a percentage of the tasks fallen due; null when none has.
    #[serde(with = "app::model::number::option")]
    on_time_rate: Option<rust_decimal::Decimal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `overdue`, `open` (not done, overdue included), `done` (on time or late), or a
    /// status code.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
    /// For the files: `en` for English headers and status names.
    #[serde(default)]
    pub lang: Option<String>,
}

/// Checks the list's `status` parameter (see [`Status::kept_by`]).
fn status_filter(text: Option<&str>) -> Result<String, ApiFailure> {
    let filter = text.unwrap_or("").to_string();
    match Status::Overdue.kept_by(&filter) {
        Some(_) => Ok(filter),
        None => Err(ApiFailure::bad_request(
            "bad_status",
            format!("Trạng thái '{filter}' không hợp lệ (overdue, open, done, not_started, in_progress, done_late)."),
            format!("'{filter}' is not a status (overdue, open, done, not_started, in_progress, done_late)."),
        )),
    }
}

/// `GET /api/v1/tasks?status=&agency=`: the tasks the caller may see, overdue first, then by
/// the day they fall due; and each agency's record (done on time, late, overdue, open, and
/// the on-time rate) over the same tasks.
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiFailure> {
    let (today, tasks, agencies) = listed(&state, &principal, &query).await?;
    Ok(Json(serde_json::json!({
        "date": today.to_string(),
        "tasks": tasks,
        "agencies": agencies,
    }))
    .into_response())
}

/// The tasks `principal` may see that `query` asks for, in the list's order, and each lead
/// agency's record over them.
async fn listed(
    state: &AppState,
    principal: &Principal,
    query: &ListQuery,
) -> Result<(Date, Vec<TaskView>, Vec<AgencyRecord>), ApiFailure> {
    let allowed = scope(state, principal)?;
    let wanted = query.agency.as_deref().filter(|a| !a.is_empty());
    if let Some(agency) = wanted {
        if state.catalogue.agency(agency).is_none() {
            return Err(ApiFailure::bad_request(
                "unknown_agency",
                format!("Không có cơ quan '{agency}'."),
                format!("No agency '{agency}'."),
            ));
        }
        if allowed
            .as_ref()
            .is_some_and(|own| !own.iter().any(|a| a == agency))
        {
            return Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_agency",
                "Chỉ xem được nhiệm vụ của cơ quan mình.",
                "Only your own agency's tasks may be listed.",
            ));
        }
    }
    let filter = status_filter(query.status.as_deref())?;
    let agencies = match wanted {
        Some(agency) => Some(vec![agency.to_string()]),
        None => allowed,
    };
    let today = today();
    let mut tasks: Vec<TaskView> = store::list(&state.db, agencies.as_deref())
        .await?
        .into_iter()
        .map(|t| view(t, today))
        .collect();
    let mut by_agency: BTreeMap<String, OnTime> = BTreeMap::new();
    for t in &tasks {
        by_agency
            .entry(t.task.lead.clone())
            .or_default()
            .add(t.status);
    }
    tasks.retain(|t| t.status.kept_by(&filter) == Some(true));
    tasks.sort_by_key(|t| task::list_order(t.status, t.task.due, t.task.id));
    let agencies: Vec<AgencyRecord> = by_agency
        .into_iter()
        .map(|(agency, record)| AgencyRecord {
            agency,
            on_time_rate: record.rate(),
            record,
        })
        .collect();
    Ok((today, tasks, agencies))
}

/// `GET /api/v1/tasks.csv` / `.xlsx` (same parameters, and `lang=en`): the list as a file.
async fn list_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: ListQuery,
) -> Result<Response, ApiFailure> {
    let (today, tasks, _) = listed(&state, &principal, &query).await?;
    let l = Locale::from_code(query.lang.as_deref().unwrap_or("vi"));
    let name = |code: &str| {
        state
            .catalogue
            .agency(code)
            .map_or_else(|| code.to_string(), |a| a.short(l).to_string())
    };
    let date = |d: Option<Date>| {
        d.map(|d| app::model::format::date(d, l))
            .unwrap_or_default()
    };
    let headers = [
        ("Số", "No."),
        ("Nhiệm vụ", "Task"),
        ("Căn cứ", "Source"),
        ("Chủ trì", "Lead"),
        ("Phối hợp", "Coordinating"),
        ("Sản phẩm", "Output"),
        ("Thời hạn", "Deadline"),
        ("Hạn", "Due"),
        ("Trạng thái", "Status"),
        ("Ngày hoàn thành", "Done on"),
        ("Cập nhật", "Updated"),
    ]
    .iter()
    .map(|(vi, en)| l.pick(*vi, *en).to_string())
    .collect();
    let rows = tasks
        .iter()
        .map(|v| {
            let t = &v.task;
            let coordinating: Vec<String> = t
                .coordinating
                .iter()
                .map(|c| name(c))
                .chain(t.other_parties.iter().cloned())
                .collect();
            vec![
                Cell::Number(t.id.into()),
                Cell::from(t.title.as_str()),
                Cell::from(t.source.as_str()),
                Cell::from(name(&t.lead)),
                Cell::from(coordinating.join("; ")),
                Cell::from(t.output.as_str()),
                Cell::from(t.deadline_text.as_str()),
                Cell::from(date(t.due)),
                Cell::from(v.status.label(l)),
                Cell::from(date(t.done_on)),
                Cell::from(app::model::format::date_time(t.updated_at, l)),
            ]
        })
        .collect();
    Table {
        name: format!("nhiem-vu-{today}"),
        title: format!(
            "{} {}",
            l.pick("Nhiệm vụ được giao, số liệu đến", "Assigned tasks, as of"),
            app::model::format::date_time(OffsetDateTime::now_utc(), l)
        ),
        headers,
        rows,
    }
    .respond(format)
}

macro_rules! download {
    ($name:ident, $format:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            Extension(principal): Extension<Principal>,
            Query(query): Query<ListQuery>,
        ) -> Result<Response, ApiFailure> {
            list_file($format, state, principal, query).await
        }
    };
}

download!(list_csv, Format::Csv);
download!(list_xlsx, Format::Xlsx);

fn not_found(id: i64) -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("Không có nhiệm vụ số {id} (hoặc tài khoản này không được xem)."),
        format!("No task {id} (or this account may not see it)."),
    )
}

/// `GET /api/v1/tasks/<id>`: the task, its status today and its whole history.
pub async fn one(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, ApiFailure> {
    scope(&state, &principal)?;
    let groups = groups(&state, &principal);
    let mut conn = state.db.acquire().await?;
    let task = store::get(&mut conn, id)
        .await?
        .filter(|t| task::may(&principal, TaskRight::Read, t, office(&state), &groups))
        .ok_or_else(|| not_found(id))?;
    let notes = store::notes(&mut conn, id).await?;
    Ok(Json(serde_json::json!({ "task": view(task, today()), "notes": notes })).into_response())
}

fn author<'a>(principal: &Principal, ip: &str) -> Author<'a> {
    let (kind, id, name) = principal.actor();
    let shown = match principal {
        Principal::User { name, .. } => name.clone(),
        _ => name.clone(),
    };
    Author {
        name: shown,
        agency: match principal {
            Principal::User { agency, .. } => agency.clone(),
            Principal::AgencyToken { agency, .. } => Some(agency.clone()),
            Principal::Display { .. } => None,
        },
        audit: app::store::audit::NewEntry {
            actor_kind: kind,
            actor_id: Some(id),
            actor_name: name,
            ip: Some(ip.to_string()),
            ..Default::default()
        },
    }
}

/// A JSON body read within the server's body limit (`413` past it), then as [`json_body`].
pub(crate) async fn read_json<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<T, ApiFailure> {
    let body = crate::ingest::read_body(headers, body, state.limits.max_body_bytes).await?;
    json_body(headers, &body)
}

pub(crate) fn json_body<T: for<'de> Deserialize<'de>>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiFailure> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Nội dung phải là JSON (Content-Type: application/json).",
            "The body must be JSON (Content-Type: application/json).",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed",
            format!("Nội dung không đúng định dạng: {e}"),
            format!("The body is not in the expected shape: {e}"),
        )
    })
}

/// Whose `Idempotency-Key`s a creator's are: kept apart from its figure batches.
fn task_submitter(principal: &Principal, lead: &str) -> Submitter {
    let (kind, id, _) = principal.actor();
    Submitter {
        id: format!("tasks:{kind}:{id}"),
        agency: match principal {
            Principal::AgencyToken { agency, .. } => agency.clone(),
            Principal::User {
                agency: Some(agency),
                ..
            } => agency.clone(),
            _ => lead.to_string(),
        },
    }
}

fn created(status: StatusCode, body: String, id: Option<i64>, replayed: bool) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(location) =
        id.and_then(|id| HeaderValue::from_str(&format!("/api/v1/tasks/{id}")).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// `POST /api/v1/tasks`: creates a task (`Idempotency-Key` required). 201 with the task; 422
/// naming each field at fault; 403 for a caller who may not assign it.
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    // who may direct at all, before the body is read
    if !task::directs(&principal) {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ lãnh đạo, cán bộ trực (thay mặt lãnh đạo) hoặc hệ thống được cấp mã mới giao được nhiệm vụ.",
            "Only leaders, duty operators (acting for a leader) or systems with a token may assign tasks.",
        ));
    }
    let key = crate::ingest::idempotency_key(&headers)?;
    let body = crate::ingest::read_body(&headers, body, state.limits.max_body_bytes).await?;
    let request_hash = hex::encode(Sha256::digest(&body));
    let input: TaskInput = json_body(&headers, &body)?;
    let made = create_task(&state, &principal, &ip, &key, request_hash, &input).await?;
    Ok(created(made.status, made.body, made.id, made.replayed))
}

/// What creating a task answered: the stored answer of the first request with its key.
pub struct Made {
    pub status: StatusCode,
    /// The task as JSON ([`TaskView`]).
    pub body: String,
    /// The new task's id (none for a replay).
    pub id: Option<i64>,
    pub replayed: bool,
}

/// Creates the task `input` for `principal` once per `key` (the API's and the form's way
/// in): validated, checked against who may assign it, stored with its history, audit
/// entry and idempotency record in one transaction.
pub async fn create_task(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    key: &str,
    request_hash: String,
    input: &TaskInput,
) -> Result<Made, ApiFailure> {
    let submitter = task_submitter(principal, &input.lead);
    let replay = |stored: StoredResponse| {
        if stored.request_hash == request_hash {
            Ok(Made {
                status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
                body: stored.body,
                id: None,
                replayed: true,
            })
        } else {
            Err(crate::ingest::key_reused())
        }
    };
    if let Some(stored) =
        idempotency::find(&mut *state.db.acquire().await?, &submitter, key).await?
    {
        return replay(stored);
    }
    let names = AgencyNames::new(&state.catalogue);
    let now = OffsetDateTime::now_utc();
    let new = validate(input, &state.catalogue, &names, now).map_err(|items| {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!(
                "{} trường không hợp lệ; nhiệm vụ chưa được tạo.",
                items.len()
            ),
            format!(
                "{} problem(s) found; the task was not created.",
                items.len()
            ),
        )
        .with_items(items)
    })?;
    let probe = probe_task(&new, now);
    if !task::may(principal, TaskRight::Direct, &probe, office(state), &[]) {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden_lead",
            "Mã truy cập này chỉ giao được nhiệm vụ do chính cơ quan mình chủ trì.",
            "This token may only assign tasks its own agency leads.",
        ));
    }
    let author = author(principal, ip);
    let mut tx = app::store::write(&state.db).await?;
    // a retry that raced this one: the first to commit wins, the other replays it
    if let Some(stored) = idempotency::find(&mut tx, &submitter, key).await? {
        return replay(stored);
    }
    let id = store::insert(&mut tx, &new, &author, now).await?;
    let task = store::get(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let changed = Changed::from(&task);
    let body = serde_json::to_string(&view(task, today())).map_err(ApiFailure::internal)?;
    idempotency::insert(
        &mut tx,
        &submitter,
        key,
        &StoredResponse {
            request_hash,
            status: StatusCode::CREATED.as_u16(),
            body: body.clone(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.hub.tasks_changed(&[changed]);
    Ok(Made {
        status: StatusCode::CREATED,
        body,
        id: Some(id),
        replayed: false,
    })
}

/// A task as it would be once created, to ask who may create it.
fn probe_task(new: &NewTask, now: OffsetDateTime) -> Task {
    Task {
        id: 0,
        title: new.title.clone(),
        source: new.source.clone(),
        lead: new.lead.clone(),
        coordinating: new.coordinating.clone(),
        other_parties: new.other_parties.clone(),
        output: new.output.clone(),
        deadline_text: new.deadline_text.clone(),
        deadline: new.deadline.clone(),
        due: new.deadline.due(),
        progress: task::Progress::NotStarted,
        done_on: None,
        reported_on: None,
        raised_from: new.raised_from.clone(),
        created_by: String::new(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

fn check_report(input: &ReportInput) -> Result<Report, Vec<ItemProblem>> {
    let mut problems = Vec::new();
    let body = input.body.trim().to_string();
    if body.chars().count() > MAX_NOTE {
        problems.push(problem(
            "body",
            "too_long",
            format!("Nội dung dài quá {MAX_NOTE} ký tự."),
            format!("The note is longer than {MAX_NOTE} characters."),
        ));
    }
    if input.kind == NoteKind::Progress && body.is_empty() {
        problems.push(problem(
            "body",
            "required",
            "Báo cáo tiến độ cần có nội dung.",
            "A progress report needs a text.",
        ));
    }
    if input.kind == NoteKind::Created {
        problems.push(problem(
            "kind",
            "not_a_report",
            "Loại ghi nhận phải là progress, attachment, done hoặc reopened.",
            "The kind must be progress, attachment, done or reopened.",
        ));
    }
    let link = input
        .link
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    match link {
        Some(l) => {
            let web = url::Url::parse(l)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if web.is_none() || l.len() > MAX_LINK {
                problems.push(problem(
                    "link",
                    "bad_link",
                    "Tệp đính kèm phải là một đường dẫn http:// hoặc https://.",
                    "An attachment must be an http:// or https:// link.",
                ));
            }
        }
        None if input.kind == NoteKind::Attachment => problems.push(problem(
            "link",
            "required",
            "Đính kèm cần có đường dẫn.",
            "An attachment needs a link.",
        )),
        None => {}
    }
    if problems.is_empty() {
        Ok(Report {
            kind: input.kind,
            body,
            link: link.map(str::to_string),
        })
    } else {
        Err(problems)
    }
}

/// `POST /api/v1/tasks/<id>/notes`: a progress note, an attachment, done or reopened, made
/// against the task's `version`. 200 with the task as it now is; 409 if it changed since.
pub async fn report(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    scope(&state, &principal)?;
    // who may not see the task learns nothing of it, before the body is read
    visible(&state, &principal, id).await?;
    let input: ReportInput = read_json(&state, &headers, body).await?;
    let task = record_report(&state, &principal, &ip, id, &input).await?;
    Ok(Json(task).into_response())
}

/// Task `id` if `principal` may see it; 404 otherwise.
async fn visible(state: &AppState, principal: &Principal, id: i64) -> Result<Task, ApiFailure> {
    let groups = groups(state, principal);
    store::get(&mut *state.db.acquire().await?, id)
        .await?
        .filter(|t| task::may(principal, TaskRight::Read, t, office(state), &groups))
        .ok_or_else(|| not_found(id))
}

/// Records a report on task `id` for `principal` (the API's and the form's way in).
pub async fn record_report(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    id: i64,
    input: &ReportInput,
) -> Result<TaskView, ApiFailure> {
    let current = visible(state, principal, id).await?;
    let groups = groups(state, principal);
    let right = match input.kind {
        NoteKind::Done | NoteKind::Reopened => TaskRight::Close,
        _ => TaskRight::Report,
    };
    if !task::may(principal, right, &current, office(state), &groups) {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ cơ quan chủ trì (hoặc lãnh đạo) mới đánh dấu hoàn thành hoặc mở lại nhiệm vụ.",
            "Only the lead agency (or a leader) may mark the task done or reopen it.",
        ));
    }
    let report = check_report(input).map_err(|items| {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{} trường không hợp lệ; chưa ghi nhận.", items.len()),
            format!("{} problem(s) found; nothing was recorded.", items.len()),
        )
        .with_items(items)
    })?;
    let author = author(principal, ip);
    let mut tx = app::store::write(&state.db).await?;
    match store::report(
        &mut tx,
        id,
        input.version,
        &report,
        &author,
        OffsetDateTime::now_utc(),
    )
    .await
    {
        Ok(task) => {
            tx.commit().await?;
            state.hub.tasks_changed(&[Changed::from(&task)]);
            Ok(view(task, today()))
        }
        Err(ReportError::NotFound) => Err(not_found(id)),
        Err(ReportError::Conflict { current }) => Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "version_conflict",
            format!(
                "Nhiệm vụ đã được cập nhật (phiên bản {current}); hãy tải lại rồi ghi nhận lại."
            ),
            format!("The task has changed since (version {current}); reload it and report again."),
        )),
        Err(ReportError::Database(e)) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The plan the tasks come from: "Quyết định 283/QĐ-UBND ngày 13/02/2025".
    pub source: String,
    /// The plan's year, for deadlines written without one.
    #[serde(default)]
    pub year: Option<i32>,
}

/// `POST /api/v1/tasks/import?source=&year=`: a plan's task table as CSV (`text/csv`) or
/// XLSX; all or nothing — 201 with the tasks created, or 422 with every line that cannot be
/// read and why.
pub async fn import(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let directs = matches!(
        &principal,
        Principal::User {
            role: Role::Admin | Role::Leader | Role::Operator,
            ..
        }
    ) || matches!(&principal, Principal::AgencyToken { agency, .. } if agency == office(&state));
    if !directs {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ lãnh đạo, cán bộ trực hoặc hệ thống của Văn phòng UBND tỉnh mới nhập được danh sách nhiệm vụ.",
            "Only leaders, duty operators or the directives office's system may import a task list.",
        ));
    }
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    if media != "text/csv" && media != XLSX {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Tệp phải là CSV (Content-Type: text/csv) hoặc XLSX ({XLSX})."),
            format!("The file must be CSV (Content-Type: text/csv) or XLSX ({XLSX})."),
        ));
    }
    let body = crate::ingest::read_body(&headers, body, state.limits.max_body_bytes).await?;
    let rows = if media == XLSX {
        import::read_xlsx(&body)
    } else {
        import::read_csv(&body)
    }
    .map_err(|e| {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_file",
            e.vi,
            e.en,
        )
    })?;
    let source = query
        .source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let names = AgencyNames::new(&state.catalogue);
    let now = OffsetDateTime::now_utc();
    let options = import::ImportOptions {
        source,
        plan_year: query.year,
    };
    let tasks = import::tasks(&rows, &options, &state.catalogue, &names, now).map_err(|items| {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_failed",
            format!(
                "{} lỗi trong tệp; không nhiệm vụ nào được nhập.",
                items.len()
            ),
            format!(
                "{} problem(s) in the file; no task was imported.",
                items.len()
            ),
        )
        .with_items(items)
    })?;
    let author = author(&principal, &ip);
    let mut tx = app::store::write(&state.db).await?;
    let mut ids = Vec::with_capacity(tasks.len());
    for task in &tasks {
        ids.push(store::insert(&mut tx, task, &author, now).await?);
    }
    let mut entry = author.audit.clone();
    entry.action = "tasks_imported";
    entry.detail = serde_json::json!({ "source": options.source, "count": ids.len() });
    app::store::audit::record(&mut tx, &entry, now).await?;
    let changed: Vec<Changed> = ids
        .iter()
        .zip(&tasks)
        .map(|(&id, task)| Changed {
            id,
            version: 1,
            lead: task.lead.clone(),
            coordinating: task.coordinating.clone(),
        })
        .collect();
    tx.commit().await?;
    state.hub.tasks_changed(&changed);
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "imported": ids.len(), "ids": ids })),
    )
        .into_response())
}
