//! The task screens' form posts: `POST /tasks` (assign a task, from the new-directive form)
//! and `POST /tasks/<id>/notes` (report on it). The same rules as the API
//! ([`super::create_task`], [`super::record_report`]); the answer is the task's page
//! (`303`) or a page naming what is wrong.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::callers::{ClientAddress, Person};
use crate::error::ApiFailure;
use crate::notice;
use crate::state::AppState;
use app::model::task::{NoteKind, RaisedFrom, ReportInput, TaskInput};
use app::pages::notice::Notice;

/// The fields of a urlencoded form; a name may repeat (a multiple select).
pub(crate) fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub(crate) fn one(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn refused(failure: ApiFailure, back: &str) -> Response {
    notice::respond(
        failure.status,
        notice::of_failure(&failure)
            .link(back, "Quay lại / Back")
            .link("/tasks", "Danh sách nhiệm vụ / Task list"),
    )
}

fn see(path: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, path.to_string())],
    )
        .into_response()
}

/// The value a form's directive was raised from, if it carried one.
fn raised_from(f: &[(String, String)]) -> Result<Option<RaisedFrom>, ApiFailure> {
    let indicator = one(f, "indicator");
    if indicator.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Số liệu gốc của chỉ đạo không đọc được.",
            "The figure the directive is raised from cannot be read.",
        )
    };
    let project = one(f, "project");
    Ok(Some(RaisedFrom {
        indicator,
        area: one(f, "area"),
        project: (!project.is_empty()).then_some(project),
        value: one(f, "value").parse().map_err(|_| bad())?,
        unit: one(f, "unit"),
        as_of: time::OffsetDateTime::parse(
            &one(f, "as_of"),
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|_| bad())?,
    }))
}

/// `POST /tasks`: a leader or duty operator assigns a task.
pub async fn create(
    State(state): State<AppState>,
    Person { principal, .. }: Person,
    ClientAddress(ip): ClientAddress,
    body: Bytes,
) -> Response {
    if !app::model::task::directs(&principal) {
        return notice::respond(
            StatusCode::FORBIDDEN,
            Notice::new(
                "Chỉ lãnh đạo và cán bộ trực giao được nhiệm vụ.",
                "Only leaders and duty operators assign tasks.",
            ),
        );
    }
    let f = fields(&body);
    let input = match raised_from(&f) {
        Ok(raised_from) => TaskInput {
            title: one(&f, "title"),
            source: one(&f, "source"),
            lead: one(&f, "lead"),
            coordinating: f
                .iter()
                .filter(|(k, v)| k == "coordinating" && !v.trim().is_empty())
                .map(|(_, v)| v.clone())
                .collect(),
            output: one(&f, "output"),
            deadline: one(&f, "deadline"),
            plan_year: None,
            raised_from,
        },
        Err(e) => return refused(e, "/tasks/new"),
    };
    let key = match one(&f, "key") {
        k if k.is_empty() => format!("form-{}", hex::encode(Sha256::digest(&body))),
        k => k,
    };
    let hash = hex::encode(Sha256::digest(&body));
    match super::create_task(&state, &principal, &ip, &key, hash, &input).await {
        Ok(made) => {
            let id = made.id.or_else(|| {
                serde_json::from_str::<serde_json::Value>(&made.body)
                    .ok()?
                    .get("id")?
                    .as_i64()
            });
            match id {
                Some(id) => see(&format!("/tasks/{id}")),
                None => see("/tasks"),
            }
        }
        Err(e) => refused(e, "/tasks/new"),
    }
}

/// `POST /tasks/<id>/notes`: progress, an attachment, done or reopened, from the task's page.
pub async fn report(
    State(state): State<AppState>,
    Person { principal, .. }: Person,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let back = format!("/tasks/{id}");
    let kind = match one(&f, "kind").as_str() {
        "progress" => NoteKind::Progress,
        "attachment" => NoteKind::Attachment,
        "done" => NoteKind::Done,
        "reopened" => NoteKind::Reopened,
        _ => {
            return notice::respond(
                StatusCode::BAD_REQUEST,
                Notice::new("Không đọc được biểu mẫu", "The form cannot be read")
                    .link(&back, "Quay lại / Back"),
            )
        }
    };
    let link = one(&f, "link");
    let input = ReportInput {
        kind,
        body: one(&f, "body"),
        link: (!link.is_empty()).then_some(link),
        version: one(&f, "version").parse().unwrap_or(0),
    };
    match super::record_report(&state, &principal, &ip, id, &input).await {
        Ok(_) => see(&back),
        Err(e) => refused(e, &back),
    }
}
