//! Alerts over the API: the list, as each caller may see it, and the operators' two acts —
//! acknowledge and resolve — from a signed-in session. The engine that raises and clears
//! them is [`engine`].

pub mod engine;

use app::api::console::AlertView;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::admin::Actor;
use crate::auth::callers::ClientAddress;
use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::{Principal, Visibility};
use app::model::alert::{self, Alert, Status};
use app::store::alerts::{self as store, Action};

/// The most alerts one list gives.
const LIST_LIMIT: i64 = 500;
/// The longest note, in characters.
const NOTE_LIMIT: usize = 2_000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    agency: Option<String>,
}

pub fn view(state: &AppState, alert: Alert, locale: app::model::Locale) -> AlertView {
    AlertView::of(&state.catalogue, &state.alert_rules, alert, locale)
}

/// Whose figures `principal` may see, for the lists that follow the values' visibility
/// (alerts, explanations, data quality): `None` every agency's, `Some(code)` one agency's;
/// refused with `what` ("this account may not see …", Vietnamese and English) for anyone
/// who sees no figure.
pub(crate) fn agency_scope(
    principal: &Principal,
    (vi, en): (&str, &str),
) -> Result<Option<String>, ApiFailure> {
    match principal.visibility() {
        Visibility::All => Ok(None),
        Visibility::Agency(code) => Ok(Some(code)),
        Visibility::Nothing => Err(ApiFailure::new(StatusCode::FORBIDDEN, "forbidden", vi, en)),
    }
}

/// `GET /api/v1/alerts?status=open|acknowledged|resolved&agency=<code>`: newest first.
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiFailure> {
    let own = agency_scope(
        &principal,
        (
            "Tài khoản này không xem được cảnh báo.",
            "This account may not see alerts.",
        ),
    )?;
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            ApiFailure::bad_request(
                "invalid_status",
                format!(
                    "Trạng thái '{text}' không hợp lệ. Giá trị đúng: open, acknowledged, resolved."
                ),
                format!("Invalid status '{text}'. Expected: open, acknowledged, resolved."),
            )
        })?),
    };
    let wanted = query.agency.as_deref().filter(|a| !a.is_empty());
    if let Some(agency) = wanted {
        if state.catalogue.agency(agency).is_none() {
            return Err(ApiFailure::bad_request(
                "unknown_agency",
                format!("Không có cơ quan '{agency}'."),
                format!("No agency '{agency}'."),
            ));
        }
        if own.as_deref().is_some_and(|own| own != agency) {
            return Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_agency",
                "Chỉ xem được cảnh báo của cơ quan mình.",
                "Only your own agency's alerts may be listed.",
            ));
        }
    }
    let agency = wanted.or(own.as_deref());
    let alerts = store::list(&mut *state.db.acquire().await?, status, agency, LIST_LIMIT).await?;
    let alerts: Vec<AlertView> = alerts
        .into_iter()
        .map(|a| view(&state, a, app::model::Locale::Vi))
        .collect();
    Ok(Json(serde_json::json!({ "alerts": alerts })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActInput {
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/alerts/<id>/ack`.
pub async fn acknowledge(
    state: State<AppState>,
    principal: Extension<Principal>,
    ip: ClientAddress,
    id: Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    act(state, principal, ip, id, headers, body, Action::Acknowledge).await
}

/// `POST /api/v1/alerts/<id>/resolve`.
pub async fn resolve(
    state: State<AppState>,
    principal: Extension<Principal>,
    ip: ClientAddress,
    id: Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    act(state, principal, ip, id, headers, body, Action::Resolve).await
}

async fn act(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
    action: Action,
) -> Result<Response, ApiFailure> {
    // who may not act is refused before the body is read
    refuse_unless_may_act(&principal)?;
    let input: ActInput = crate::tasks::read_json(&state, &headers, body).await?;
    let alert = record(&state, &principal, &ip, id, action, &input.note).await?;
    Ok(Json(alert).into_response())
}

fn refuse_unless_may_act(principal: &Principal) -> Result<(), ApiFailure> {
    if matches!(principal, Principal::User { .. }) && alert::may_act(principal) {
        return Ok(());
    }
    Err(ApiFailure::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Chỉ cán bộ trực, lãnh đạo và quản trị viên (đăng nhập) mới xử lý được cảnh báo.",
        "Only operators, leaders and administrators, signed in, may act on alerts.",
    ))
}

/// Acknowledges or resolves alert `id` for `principal` with `note` (the API's and the
/// console form's way in), and announces the change.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    id: i64,
    action: Action,
    note: &str,
) -> Result<AlertView, ApiFailure> {
    refuse_unless_may_act(principal)?;
    let Principal::User { name: person, .. } = principal else {
        unreachable!("refuse_unless_may_act lets people only")
    };
    let note = note.trim();
    if action == Action::Resolve && note.is_empty() {
        return Err(ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "note_required",
            "Trường note: cần ghi lý do khi đóng cảnh báo bằng tay.",
            "Field note: say why when resolving an alert by hand.",
        ));
    }
    within("note", note, NOTE_LIMIT)?;
    let entry = Actor::of(principal, ip).acting(match action {
        Action::Acknowledge => "alert_acknowledged",
        Action::Resolve => "alert_resolved",
    });
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let Some((alert, changed)) = store::act(&mut tx, id, action, person, note, entry, now).await?
    else {
        return Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không có cảnh báo số {id}."),
            format!("No alert {id}."),
        ));
    };
    tx.commit().await?;
    if !changed {
        let (vi, en) = match alert.status {
            Status::Resolved => (
                "Cảnh báo này đã được đóng.",
                "This alert is already resolved.",
            ),
            _ => (
                "Cảnh báo này đã được tiếp nhận.",
                "This alert is already acknowledged.",
            ),
        };
        return Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "alert_not_open",
            vi,
            en,
        ));
    }
    state.hub.alerts_changed(std::slice::from_ref(&alert));
    Ok(view(state, alert, app::model::Locale::Vi))
}

/// The console's form posts: `POST /console/alerts/<id>/ack` and `…/resolve` with a `note`;
/// the answer is the console (`303`) or a page saying what is wrong.
pub async fn form_acknowledge(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    form(&state, &principal, &ip, id, Action::Acknowledge, &body).await
}

pub async fn form_resolve(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    form(&state, &principal, &ip, id, Action::Resolve, &body).await
}

async fn form(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    id: i64,
    action: Action,
    body: &[u8],
) -> Response {
    let note = field(body, "note");
    match record(state, principal, ip, id, action, &note).await {
        Ok(_) => (
            StatusCode::SEE_OTHER,
            [(axum::http::header::LOCATION, format!("/console#alert-{id}"))],
        )
            .into_response(),
        Err(failure) => refused_page(failure),
    }
}

/// The longest shift-log entry, in characters.
const LOG_LIMIT: usize = 4_000;

/// The trimmed value of field `name` of a urlencoded form.
pub(crate) fn field(body: &[u8], name: &str) -> String {
    crate::tasks::form::one(&crate::tasks::form::fields(body), name)
}

/// Refuses a text of `field` longer than `limit` characters (`422` `<field>_too_long`).
fn within(field: &str, text: &str, limit: usize) -> Result<(), ApiFailure> {
    if text.chars().count() <= limit {
        return Ok(());
    }
    Err(ApiFailure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("{field}_too_long"),
        format!("Trường {field}: dài quá {limit} ký tự."),
        format!("Field {field}: longer than {limit} characters."),
    ))
}

/// A refused console form post, as a page leading back to the console.
pub(crate) fn refused_page(failure: ApiFailure) -> Response {
    crate::notice::respond(
        failure.status,
        crate::notice::of_failure(&failure)
            .link("/console", "Về bàn điều hành / Back to the console"),
    )
}

fn back_to_log() -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            axum::http::header::LOCATION,
            "/console#shift-log".to_string(),
        )],
    )
        .into_response()
}

/// `POST /console/log` (a note, `body`) and `POST /console/handover` (the handover, `body`
/// optional): written by operators, leaders and administrators; a handover lists the
/// alerts not resolved at that moment.
pub async fn form_log_note(
    State(state): State<AppState>,
    person: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    body: axum::body::Bytes,
) -> Response {
    write_log(
        &state,
        person,
        &ip,
        app::store::shift_log::EntryKind::Note,
        &field(&body, "body"),
    )
    .await
}

pub async fn form_handover(
    State(state): State<AppState>,
    person: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    body: axum::body::Bytes,
) -> Response {
    write_log(
        &state,
        person,
        &ip,
        app::store::shift_log::EntryKind::Handover,
        &field(&body, "body"),
    )
    .await
}

async fn write_log(
    state: &AppState,
    person: crate::auth::callers::Person,
    ip: &str,
    kind: app::store::shift_log::EntryKind,
    text: &str,
) -> Response {
    use app::store::shift_log::{self, EntryKind, HandedAlert};
    if let Err(failure) = refuse_unless_may_act(&person.principal) {
        return refused_page(failure);
    }
    let Principal::User { name, .. } = &person.principal else {
        return refused_page(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Cần đăng nhập.",
            "Sign in.",
        ));
    };
    if kind == EntryKind::Note && text.is_empty() {
        return refused_page(ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body_required",
            "Trường body: sổ giao ca cần nội dung.",
            "Field body: a shift-log entry needs a text.",
        ));
    }
    if let Err(failure) = within("body", text, LOG_LIMIT) {
        return refused_page(failure);
    }
    let result: Result<(), ApiFailure> = async {
        let now = time::OffsetDateTime::now_utc();
        let mut tx = app::store::write(&state.db).await?;
        let open: Vec<HandedAlert> = if kind == EntryKind::Handover {
            store::unresolved(&mut tx)
                .await?
                .into_iter()
                .map(|a| {
                    let a = view(state, a, app::model::Locale::Vi);
                    HandedAlert {
                        id: a.alert.id,
                        severity: a.alert.severity.code().into(),
                        status: a.alert.status.code().into(),
                        summary: format!(
                            "{} · {} — {}",
                            a.indicator_name, a.area_name, a.alert.reason.vi
                        ),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let action = if kind == EntryKind::Handover {
            "shift_handed_over"
        } else {
            "shift_note_written"
        };
        shift_log::write(
            &mut tx,
            kind,
            person.id,
            name,
            text,
            &open,
            Actor::of(&person.principal, ip).acting(action),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => back_to_log(),
        Err(failure) => refused_page(failure),
    }
}

/// `POST /console/handover/<id>/confirm`: the next shift has read the handover (someone
/// other than its author, once).
pub async fn form_confirm_handover(
    State(state): State<AppState>,
    person: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
) -> Response {
    use app::store::shift_log;
    if let Err(failure) = refuse_unless_may_act(&person.principal) {
        return refused_page(failure);
    }
    let Principal::User { name, .. } = &person.principal else {
        return refused_page(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Cần đăng nhập.",
            "Sign in.",
        ));
    };
    let result: Result<bool, ApiFailure> = async {
        let now = time::OffsetDateTime::now_utc();
        let mut tx = app::store::write(&state.db).await?;
        let Some(entry) = shift_log::get(&mut tx, id).await? else {
            return Err(ApiFailure::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("Không có bản giao ca số {id}."),
                format!("No handover {id}."),
            ));
        };
        if entry.author_id == person.id {
            return Err(ApiFailure::new(
                StatusCode::CONFLICT,
                "own_handover",
                "Người giao ca không tự xác nhận được: ca sau xác nhận đã đọc.",
                "A handover is confirmed by the next shift, not by who wrote it.",
            ));
        }
        let done = shift_log::confirm(
            &mut tx,
            id,
            person.id,
            name,
            Actor::of(&person.principal, &ip).acting("shift_handover_confirmed"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }
    .await;
    match result {
        Ok(true) => back_to_log(),
        Ok(false) => refused_page(ApiFailure::new(
            StatusCode::CONFLICT,
            "already_confirmed",
            "Bản giao ca này đã được xác nhận.",
            "This handover is already confirmed.",
        )),
        Err(failure) => refused_page(failure),
    }
}
