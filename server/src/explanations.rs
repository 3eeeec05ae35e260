//! Explanations over the API: an agency officer explains a value of their own agency
//! (`POST /api/v1/explanations`), an operator asks an agency for one by a time
//! (`POST /api/v1/explanation-requests`), and everyone who sees the value reads the
//! explanations that still stand and the open requests (`GET /api/v1/explanations`).

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::admin::Actor;
use crate::auth::callers::ClientAddress;
use crate::error::ApiFailure;
use crate::state::AppState;
use app::api::LiveReader;
use app::model::account::{Principal, Role};
use app::model::explanation::{self, ExplanationInput};
use app::store::explanations as store;

fn problems(list: Vec<explanation::Problem>) -> ApiFailure {
    ApiFailure::invalid_fields(list)
}

/// `POST /api/v1/explanations`: `{"indicator", "area", "why", "action", "by", "expires_on"}`.
pub async fn explain(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    // only an agency's officer, before the body is read
    officer(&principal)?;
    let input: ExplanationInput = crate::tasks::read_json(&state, &headers, body).await?;
    let written = record_explanation(&state, &principal, &ip, &input).await?;
    Ok((StatusCode::CREATED, Json(written)).into_response())
}

/// The officer's account, name and agency; refused for anyone else.
fn officer(principal: &Principal) -> Result<(i64, String, String), ApiFailure> {
    match principal {
        Principal::User {
            id,
            name,
            role: Role::AgencyOfficer,
            agency: Some(agency),
            ..
        } => Ok((*id, name.clone(), agency.clone())),
        _ => Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ cán bộ của cơ quan sở hữu chỉ tiêu (đăng nhập) mới giải trình được.",
            "Only an officer of the agency that owns the indicator, signed in, may explain it.",
        )),
    }
}

/// Stores an officer's explanation (the API's and the console form's way in); what was
/// stored, as JSON.
pub async fn record_explanation(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    input: &ExplanationInput,
) -> Result<serde_json::Value, ApiFailure> {
    let (user_id, name, own) = officer(principal)?;
    let now = time::OffsetDateTime::now_utc();
    let today = app::model::format::vietnam_date(now);
    // a catalogue indicator, or a sum of projects (the disbursement rate of a commune)
    let derived = app::model::money::derived_indicator(&state.catalogue, &input.indicator, today);
    let Some(ind) = state
        .catalogue
        .indicator(&input.indicator)
        .or(derived.as_ref())
    else {
        return Err(problems(vec![(
            "indicator",
            format!("không có chỉ tiêu '{}'", input.indicator),
            format!("no indicator '{}'", input.indicator),
        )]));
    };
    if state.catalogue.area(&input.area).is_none() {
        return Err(problems(vec![(
            "area",
            format!("không có đơn vị '{}'", input.area),
            format!("no area '{}'", input.area),
        )]));
    }
    if ind.agency != own {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden_indicator",
            "Chỉ giải trình được số liệu của cơ quan mình.",
            "Only your own agency's figures may be explained.",
        ));
    }
    let (by, expires_on) = explanation::check(input, today).map_err(problems)?;
    let figure_as_of = state
        .hub
        .as_of(&input.indicator, &input.area, &state.catalogue.province);
    let mut tx = app::store::write(&state.db).await?;
    let new = store::NewExplanation {
        indicator: &input.indicator,
        area: &input.area,
        agency: &own,
        author_id: user_id,
        author: &name,
        why: input.why.trim(),
        action: input.action.trim(),
        by,
        expires_on,
        figure_as_of,
    };
    let id = store::explain(
        &mut tx,
        &new,
        Actor::of(principal, ip).acting("explanation_written"),
        now,
    )
    .await?;
    tx.commit().await?;
    // on every screen now, not at the next sweep
    if let Err(e) = state.hub.refresh_explanations().await {
        tracing::warn!(error = %e, "cannot announce the explanation; the sweep will");
    }
    Ok(serde_json::json!({
        "id": id, "indicator": input.indicator, "area": input.area, "agency": own, "author": name,
        "why": new.why, "action": new.action, "by": by.map(|d| d.to_string()),
        "expires_on": expires_on.to_string(),
        "figure_as_of": figure_as_of.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub indicator: String,
    pub area: String,
    /// RFC 3339.
    pub due_at: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/explanation-requests`: `{"indicator", "area", "due_at", "note"}`.
pub async fn ask(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    asker(&principal)?;
    let input: RequestInput = crate::tasks::read_json(&state, &headers, body).await?;
    let (id, agency) = record_request(&state, &principal, &ip, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "agency": agency })),
    )
        .into_response())
}

fn asker(principal: &Principal) -> Result<(i64, String), ApiFailure> {
    match principal {
        Principal::User { id, name, .. } if app::model::alert::may_act(principal) => {
            Ok((*id, name.clone()))
        }
        _ => Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ cán bộ trực, lãnh đạo và quản trị viên (đăng nhập) mới yêu cầu giải trình được.",
            "Only operators, leaders and administrators, signed in, may ask for an explanation.",
        )),
    }
}

/// Stores a request for an explanation (the API's and the console form's way in): its id
/// and the agency asked.
pub async fn record_request(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    input: &RequestInput,
) -> Result<(i64, String), ApiFailure> {
    let (user_id, name) = asker(principal)?;
    let now = time::OffsetDateTime::now_utc();
    let mut list: Vec<explanation::Problem> = Vec::new();
    let owner = state
        .catalogue
        .indicator(&input.indicator)
        .map(|i| i.agency.clone());
    if owner.is_none() {
        list.push((
            "indicator",
            format!("không có chỉ tiêu '{}'", input.indicator),
            format!("no indicator '{}'", input.indicator),
        ));
    }
    if state.catalogue.area(&input.area).is_none() {
        list.push((
            "area",
            format!("không có đơn vị '{}'", input.area),
            format!("no area '{}'", input.area),
        ));
    }
    let due = app::model::iso::parse_rfc3339(input.due_at.trim());
    match due {
        None => list.push((
            "due_at",
            format!("'{}' không phải thời điểm RFC 3339", input.due_at),
            format!("'{}' is not an RFC 3339 time", input.due_at),
        )),
        Some(d) if d <= now => list.push(("due_at", "đã qua".into(), "is in the past".into())),
        Some(_) => {}
    }
    if input.note.chars().count() > explanation::TEXT_LIMIT {
        list.push((
            "note",
            format!("dài quá {} ký tự", explanation::TEXT_LIMIT),
            format!("longer than {} characters", explanation::TEXT_LIMIT),
        ));
    }
    let (Some(agency), Some(due), true) = (owner, due, list.is_empty()) else {
        return Err(problems(list));
    };
    let mut tx = app::store::write(&state.db).await?;
    let id = store::ask(
        &mut tx,
        &input.indicator,
        &input.area,
        &agency,
        user_id,
        &name,
        due,
        input.note.trim(),
        Actor::of(principal, ip).acting("explanation_requested"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, agency))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    agency: Option<String>,
}

/// `GET /api/v1/explanations?agency=<code>`: the explanations that still stand and the
/// open requests, for whom the caller may see.
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiFailure> {
    let own = crate::alerts::agency_scope(
        &principal,
        (
            "Tài khoản này không xem được giải trình.",
            "This account may not see explanations.",
        ),
    )?;
    let wanted = query.agency.filter(|a| !a.is_empty());
    if let (Some(w), Some(o)) = (&wanted, &own) {
        if w != o {
            return Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_agency",
                "Chỉ xem được giải trình của cơ quan mình.",
                "Only your own agency's explanations may be listed.",
            ));
        }
    }
    let agency = wanted.or(own);
    let now = time::OffsetDateTime::now_utc();
    let mut conn = state.db.acquire().await?;
    let explanations: Vec<_> = store::in_date(
        &mut conn,
        app::model::format::vietnam_date(now),
        agency.as_deref(),
    )
    .await?
    .into_iter()
    .filter(|e| {
        e.stands(
            state
                .hub
                .as_of(&e.indicator, &e.area, &state.catalogue.province),
            now,
        )
    })
    .collect();
    let requests: Vec<serde_json::Value> = store::open_requests(&mut conn, agency.as_deref())
        .await?
        .into_iter()
        .map(|r| {
            let overdue = r.is_overdue(now);
            let mut v = serde_json::to_value(&r).unwrap_or_default();
            v["overdue"] = serde_json::Value::Bool(overdue);
            v
        })
        .collect();
    Ok(
        Json(serde_json::json!({ "explanations": explanations, "requests": requests }))
            .into_response(),
    )
}

fn answer(result: Result<(), ApiFailure>) -> Response {
    match result {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [(
                axum::http::header::LOCATION,
                "/console#explanations".to_string(),
            )],
        )
            .into_response(),
        Err(failure) => crate::alerts::refused_page(failure),
    }
}

/// `POST /console/explanations`: an officer's explanation from the console's form.
pub async fn form_explain(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    body: axum::body::Bytes,
) -> Response {
    use crate::tasks::form::{fields, one};
    let f = fields(&body);
    let input = ExplanationInput {
        indicator: one(&f, "indicator"),
        area: one(&f, "area"),
        why: one(&f, "why"),
        action: one(&f, "action"),
        by: Some(one(&f, "by")),
        expires_on: Some(one(&f, "expires_on")),
    };
    answer(
        record_explanation(&state, &principal, &ip, &input)
            .await
            .map(|_| ()),
    )
}

/// `POST /console/alerts/<id>/ask`: the operator asks the alert's agency to explain its
/// value within `hours` (default 4).
pub async fn form_ask(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    axum::extract::Path(id): axum::extract::Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        asker(&principal)?;
        let alert = app::store::alerts::get(&mut *state.db.acquire().await?, id)
            .await?
            .ok_or_else(|| {
                ApiFailure::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("Không có cảnh báo số {id}."),
                    format!("No alert {id}."),
                )
            })?;
        let hours: i64 = crate::alerts::field(&body, "hours")
            .parse()
            .unwrap_or(4)
            .clamp(1, 72);
        let due = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
        let input = RequestInput {
            indicator: alert.indicator,
            area: alert.area,
            due_at: due
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            note: crate::alerts::field(&body, "note"),
        };
        record_request(&state, &principal, &ip, &input)
            .await
            .map(|_| ())
    }
    .await;
    answer(result)
}
