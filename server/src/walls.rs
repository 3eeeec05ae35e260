//! Wall mode over HTTP: scenes and playlists edited by administrators (REST and the
//! administration page's forms), a wall's playlist, scenes pushed onto walls and released
//! by operators (REST and the console's forms), and what each wall says it shows. Every
//! change is audited; a push or release reaches the walls at once through the live stream
//! ([`crate::hub::Hub::refresh_walls`]), on every instance within a heartbeat.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::admin::Actor;
use crate::auth::callers::ClientAddress;
use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::Principal;
use app::model::wall::{self, Entry, Panel, Problem, Shown};
use app::store::walls::{self as store, Deleted};

fn problems(list: Vec<Problem>) -> ApiFailure {
    ApiFailure::invalid_fields(list)
}

fn forbidden(vi: &str, en: &str) -> ApiFailure {
    ApiFailure::new(StatusCode::FORBIDDEN, "forbidden", vi, en)
}

fn not_found(vi: String, en: String) -> ApiFailure {
    ApiFailure::new(StatusCode::NOT_FOUND, "not_found", vi, en)
}

fn admin(principal: &Principal) -> Result<(), ApiFailure> {
    if principal.is_admin() {
        Ok(())
    } else {
        Err(forbidden(
            "Chỉ quản trị viên được sửa cảnh và danh sách phát.",
            "Only administrators may change scenes and playlists.",
        ))
    }
}

fn operator(principal: &Principal) -> Result<(), ApiFailure> {
    if app::model::alert::may_act(principal) {
        Ok(())
    } else {
        Err(forbidden(
            "Chỉ cán bộ trực, lãnh đạo và quản trị viên được điều khiển màn hình giám sát.",
            "Only operators, leaders and administrators may drive the walls.",
        ))
    }
}

/// A scene as sent: its name and panels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneInput {
    pub name: String,
    pub panels: Vec<Panel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistInput {
    pub name: String,
    pub entries: Vec<Entry>,
}

fn check_scene(input: &SceneInput) -> Result<(), ApiFailure> {
    let (tiles, layers) = app::api::overview::wall_vocabulary();
    let known = wall::Vocabulary {
        indicators: &|code: &str| tiles.contains(&code),
        layers: &layers,
    };
    let found = wall::check_scene(&input.name, &input.panels, &known);
    if found.is_empty() {
        Ok(())
    } else {
        Err(problems(found))
    }
}

async fn check_playlist(state: &AppState, input: &PlaylistInput) -> Result<(), ApiFailure> {
    let scenes = store::scenes(&mut *state.db.acquire().await?).await?;
    let found = wall::check_playlist(&input.name, &input.entries, &|id| {
        scenes.iter().any(|s| s.id == id)
    });
    if found.is_empty() {
        Ok(())
    } else {
        Err(problems(found))
    }
}

/// Stores a scene: new (`id` none) or replacing one; its id.
pub async fn save_scene(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    input: &SceneInput,
) -> Result<i64, ApiFailure> {
    check_scene(input)?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let id = match id {
        None => {
            store::create_scene(
                &mut tx,
                &input.name,
                &input.panels,
                actor.acting("wall_scene_created"),
                now,
            )
            .await?
        }
        Some(id) => {
            if !store::update_scene(
                &mut tx,
                id,
                &input.name,
                &input.panels,
                actor.acting("wall_scene_changed"),
                now,
            )
            .await?
            {
                return Err(not_found(
                    format!("Không có cảnh số {id}."),
                    format!("No scene {id}."),
                ));
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn save_playlist(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    input: &PlaylistInput,
) -> Result<i64, ApiFailure> {
    check_playlist(state, input).await?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let id = match id {
        None => {
            store::create_playlist(
                &mut tx,
                &input.name,
                &input.entries,
                actor.acting("wall_playlist_created"),
                now,
            )
            .await?
        }
        Some(id) => {
            if !store::update_playlist(
                &mut tx,
                id,
                &input.name,
                &input.entries,
                actor.acting("wall_playlist_changed"),
                now,
            )
            .await?
            {
                return Err(not_found(
                    format!("Không có danh sách phát số {id}."),
                    format!("No playlist {id}."),
                ));
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Deletes a scene (`playlist` false) or a playlist.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: i64,
    playlist: bool,
) -> Result<(), ApiFailure> {
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let done = if playlist {
        store::delete_playlist(&mut tx, id, actor.acting("wall_playlist_deleted"), now).await?
    } else {
        store::delete_scene(&mut tx, id, actor.acting("wall_scene_deleted"), now).await?
    };
    match done {
        Deleted::Done => {
            tx.commit().await?;
            if !playlist {
                announce(state).await;
            }
            Ok(())
        }
        Deleted::NotFound => Err(not_found(
            format!(
                "Không có {} số {id}.",
                if playlist {
                    "danh sách phát"
                } else {
                    "cảnh"
                }
            ),
            format!("No {} {id}.", if playlist { "playlist" } else { "scene" }),
        )),
        Deleted::InUse(lists) => Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "scene_in_use",
            format!(
                "Cảnh đang có trong danh sách phát: {}. Bỏ cảnh khỏi đó trước.",
                lists.join(", ")
            ),
            format!(
                "The scene is in these playlists: {}. Take it out of them first.",
                lists.join(", ")
            ),
        )),
    }
}

/// Which wall a push or release is for: one display (that exists and is not revoked), or
/// every wall.
async fn target(state: &AppState, display: Option<i64>) -> Result<Option<i64>, ApiFailure> {
    let Some(id) = display else {
        return Ok(None);
    };
    match app::store::displays::by_id(&mut *state.db.acquire().await?, id).await? {
        Some(d) if d.revoked_at.is_none() => Ok(Some(id)),
        _ => Err(problems(vec![(
            "display".into(),
            format!("không có màn hình số {id} (hoặc đã thu hồi)"),
            format!("no display {id} (or it was revoked)"),
        )])),
    }
}

/// What an operator pushes: a scene, or the incident scene of an alert.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushInput {
    pub scene: Option<i64>,
    pub alert: Option<i64>,
    /// None: every wall.
    pub display: Option<i64>,
}

pub async fn push_scene(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    input: &PushInput,
) -> Result<i64, ApiFailure> {
    operator(principal)?;
    let shown = match (input.scene, input.alert) {
        (Some(scene), None) => {
            if store::scene_by_id(&mut *state.db.acquire().await?, scene)
                .await?
                .is_none()
            {
                return Err(problems(vec![(
                    "scene".into(),
                    format!("không có cảnh số {scene}"),
                    format!("no scene {scene}"),
                )]));
            }
            Shown::Scene(scene)
        }
        (None, Some(alert)) => {
            if app::store::alerts::get(&mut *state.db.acquire().await?, alert)
                .await?
                .is_none()
            {
                return Err(problems(vec![(
                    "alert".into(),
                    format!("không có cảnh báo số {alert}"),
                    format!("no alert {alert}"),
                )]));
            }
            Shown::Incident(alert)
        }
        _ => {
            return Err(problems(vec![(
                "scene".into(),
                "cần đúng một trong hai: scene (một cảnh) hoặc alert (cảnh sự cố của một cảnh báo)"
                    .into(),
                "exactly one of scene (a scene) or alert (an alert's incident scene) is needed"
                    .into(),
            )]))
        }
    };
    let display = target(state, input.display).await?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    // the wall names the person as people know them
    let actor = Actor::of(principal, ip);
    let by = match principal {
        Principal::User { name, .. } => name.clone(),
        _ => actor.name.clone(),
    };
    let id = store::push(
        &mut tx,
        display,
        shown,
        &by,
        actor.acting("wall_pushed"),
        now,
    )
    .await?;
    tx.commit().await?;
    announce(state).await;
    Ok(id)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    /// None: every wall.
    pub display: Option<i64>,
}

pub async fn release(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    input: &ReleaseInput,
) -> Result<u64, ApiFailure> {
    operator(principal)?;
    let display = target(state, input.display).await?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let released = store::release(
        &mut tx,
        display,
        Actor::of(principal, ip).acting("wall_released"),
        now,
    )
    .await?;
    tx.commit().await?;
    announce(state).await;
    Ok(released)
}

/// The walls hear of a push or release now, not at the next sweep.
async fn announce(state: &AppState) {
    if let Err(e) = state.hub.refresh_walls().await {
        tracing::warn!(error = %e, "cannot announce the walls' pushes; the sweep will");
    }
}

// ---- REST ----

/// `GET /api/v1/wall/scenes`: every scene (anyone signed in, or a display).
pub async fn list_scenes(State(state): State<AppState>) -> Result<Response, ApiFailure> {
    let scenes = store::scenes(&mut *state.db.acquire().await?).await?;
    Ok(Json(serde_json::json!({ "scenes": scenes })).into_response())
}

/// `GET /api/v1/wall/playlists`.
pub async fn list_playlists(State(state): State<AppState>) -> Result<Response, ApiFailure> {
    let lists = store::playlists(&mut *state.db.acquire().await?).await?;
    Ok(Json(serde_json::json!({ "playlists": lists })).into_response())
}

/// `POST /api/v1/wall/scenes` (administrators): `{"name", "panels": [{"kind", …}]}`.
pub async fn create_scene(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    let input: SceneInput = crate::tasks::read_json(&state, &headers, body).await?;
    let id = save_scene(&state, &Actor::of(&principal, &ip), None, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// `PUT /api/v1/wall/scenes/{id}` (administrators).
pub async fn update_scene(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    let input: SceneInput = crate::tasks::read_json(&state, &headers, body).await?;
    save_scene(&state, &Actor::of(&principal, &ip), Some(id), &input).await?;
    Ok(Json(serde_json::json!({ "id": id })).into_response())
}

/// `DELETE /api/v1/wall/scenes/{id}` (administrators; not while a playlist shows it).
pub async fn delete_scene(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    delete(&state, &Actor::of(&principal, &ip), id, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/wall/playlists` (administrators): `{"name", "entries": [{"scene", "seconds"}]}`.
pub async fn create_playlist(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    let input: PlaylistInput = crate::tasks::read_json(&state, &headers, body).await?;
    let id = save_playlist(&state, &Actor::of(&principal, &ip), None, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// `PUT /api/v1/wall/playlists/{id}` (administrators).
pub async fn update_playlist(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    let input: PlaylistInput = crate::tasks::read_json(&state, &headers, body).await?;
    save_playlist(&state, &Actor::of(&principal, &ip), Some(id), &input).await?;
    Ok(Json(serde_json::json!({ "id": id })).into_response())
}

/// `DELETE /api/v1/wall/playlists/{id}` (administrators): its walls follow the first.
pub async fn delete_playlist(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    delete(&state, &Actor::of(&principal, &ip), id, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// None: the first playlist.
    pub playlist: Option<i64>,
}

/// Sets the playlist a wall follows.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    display: i64,
    input: &AssignInput,
) -> Result<(), ApiFailure> {
    if let Some(p) = input.playlist {
        let lists = store::playlists(&mut *state.db.acquire().await?).await?;
        if !lists.iter().any(|l| l.id == p) {
            return Err(problems(vec![(
                "playlist".into(),
                format!("không có danh sách phát số {p}"),
                format!("no playlist {p}"),
            )]));
        }
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    if !store::assign_playlist(
        &mut tx,
        display,
        input.playlist,
        actor.acting("wall_playlist_assigned"),
        now,
    )
    .await?
    {
        return Err(not_found(
            format!("Không có màn hình số {display}."),
            format!("No display {display}."),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// `PUT /api/v1/walls/{display}/playlist` (administrators): `{"playlist": id | null}`.
pub async fn put_playlist(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    Path(display): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    admin(&principal)?;
    let input: AssignInput = crate::tasks::read_json(&state, &headers, body).await?;
    assign(&state, &Actor::of(&principal, &ip), display, &input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/walls` (operators, leaders, administrators): each wall, whether it is
/// live, its last contact, its playlist, what it says it shows and the push it obeys.
pub async fn list_walls(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, ApiFailure> {
    operator(&principal)?;
    let walls = store::walls_now(
        &mut *state.db.acquire().await?,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(Json(serde_json::json!({ "walls": walls })).into_response())
}

/// `POST /api/v1/walls/push`: `{"scene": id}` or `{"alert": id}`, and `"display": id`
/// (absent: every wall).
pub async fn post_push(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    operator(&principal)?;
    let input: PushInput = crate::tasks::read_json(&state, &headers, body).await?;
    let id = push_scene(&state, &principal, &ip, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "push": id }))).into_response())
}

/// `POST /api/v1/walls/release`: `{"display": id}` (absent: every wall).
pub async fn post_release(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    operator(&principal)?;
    let input: ReleaseInput = crate::tasks::read_json(&state, &headers, body).await?;
    let released = release(&state, &principal, &ip, &input).await?;
    Ok(Json(serde_json::json!({ "released": released })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShownInput {
    pub shown: String,
}

/// `POST /api/v1/wall/shown` (a wall): `{"shown": "scene:<id>" | "incident:<alert>"}` —
/// what it shows now, for the administration page.
pub async fn post_shown(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let Principal::Display { id, .. } = principal else {
        return Err(forbidden(
            "Chỉ màn hình giám sát báo cảnh nó đang hiện.",
            "Only a wall reports the scene it shows.",
        ));
    };
    let input: ShownInput = crate::tasks::read_json(&state, &headers, body).await?;
    let Some(shown) = Shown::of_code(&input.shown) else {
        return Err(problems(vec![(
            "shown".into(),
            "dạng đúng: scene:<số> hoặc incident:<số>".into(),
            "expected scene:<id> or incident:<id>".into(),
        )]));
    };
    let now = time::OffsetDateTime::now_utc();
    store::report_shown(&mut *state.db.acquire().await?, id, shown, now).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- forms (administration page, console) ----

fn to_admin(failure: ApiFailure) -> Response {
    crate::notice::respond(
        failure.status,
        crate::notice::of_failure(&failure).link(
            "/admin?tab=walls",
            "Quay lại trang quản trị / Back to administration",
        ),
    )
}

fn back_to_admin() -> Response {
    Redirect::to("/admin?tab=walls").into_response()
}

/// The scene of the administration page's form: `name`, and for each of its six slots
/// `kind<i>` (empty: no panel) and `param<i>`.
fn scene_of_form(body: &[u8]) -> Result<SceneInput, ApiFailure> {
    use crate::tasks::form::{fields, one};
    let f = fields(body);
    let mut panels = Vec::new();
    for i in 0..wall::MAX_PANELS {
        let kind = one(&f, &format!("kind{i}"));
        if kind.is_empty() {
            continue;
        }
        let panel = Panel::of_form(&kind, &one(&f, &format!("param{i}"))).ok_or_else(|| {
            problems(vec![(
                format!("kind{i}"),
                format!("không có loại ô '{kind}'"),
                format!("no panel kind '{kind}'"),
            )])
        })?;
        panels.push(panel);
    }
    Ok(SceneInput {
        name: one(&f, "name"),
        panels,
    })
}

/// The playlist of the form: `name`, and rows `scene<i>` (empty: none), `seconds<i>`.
fn playlist_of_form(body: &[u8]) -> PlaylistInput {
    use crate::tasks::form::{fields, one};
    let f = fields(body);
    let entries = (0..wall::MAX_ENTRIES)
        .filter_map(|i| {
            let scene = one(&f, &format!("scene{i}")).parse().ok()?;
            Some(Entry {
                scene,
                seconds: one(&f, &format!("seconds{i}")).parse().unwrap_or(0),
            })
        })
        .collect();
    PlaylistInput {
        name: one(&f, "name"),
        entries,
    }
}

fn form_id(f: &[(String, String)]) -> Option<i64> {
    crate::tasks::form::one(f, "id").parse().ok()
}

/// `POST /admin/walls/scenes`: a new scene, or (`id`) a changed one.
pub async fn form_scene(
    State(state): State<AppState>,
    crate::auth::callers::AdminCaller(actor): crate::auth::callers::AdminCaller,
    body: axum::body::Bytes,
) -> Response {
    let id = form_id(&crate::tasks::form::fields(&body));
    let result = match scene_of_form(&body) {
        Ok(input) => save_scene(&state, &actor, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    result.map_or_else(to_admin, |()| back_to_admin())
}

/// `POST /admin/walls/playlists`: a new playlist, or (`id`) a changed one.
pub async fn form_playlist(
    State(state): State<AppState>,
    crate::auth::callers::AdminCaller(actor): crate::auth::callers::AdminCaller,
    body: axum::body::Bytes,
) -> Response {
    let id = form_id(&crate::tasks::form::fields(&body));
    save_playlist(&state, &actor, id, &playlist_of_form(&body))
        .await
        .map_or_else(to_admin, |_| back_to_admin())
}

/// `POST /admin/walls/scenes/{id}/delete` and `/admin/walls/playlists/{id}/delete`.
pub async fn form_delete_scene(
    State(state): State<AppState>,
    crate::auth::callers::AdminCaller(actor): crate::auth::callers::AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    delete(&state, &actor, id, false)
        .await
        .map_or_else(to_admin, |()| back_to_admin())
}

pub async fn form_delete_playlist(
    State(state): State<AppState>,
    crate::auth::callers::AdminCaller(actor): crate::auth::callers::AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    delete(&state, &actor, id, true)
        .await
        .map_or_else(to_admin, |()| back_to_admin())
}

/// `POST /admin/walls/displays/{id}`: `playlist` (empty: the first).
pub async fn form_assign(
    State(state): State<AppState>,
    crate::auth::callers::AdminCaller(actor): crate::auth::callers::AdminCaller,
    Path(display): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let f = crate::tasks::form::fields(&body);
    let input = AssignInput {
        playlist: crate::tasks::form::one(&f, "playlist").parse().ok(),
    };
    assign(&state, &actor, display, &input)
        .await
        .map_or_else(to_admin, |()| back_to_admin())
}

fn back_to_console() -> Response {
    Redirect::to("/console#walls").into_response()
}

/// `POST /console/walls/push`: `what` (`scene:<id>` or `incident:<alert>`) onto `display`
/// (empty: every wall).
pub async fn form_push(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    body: axum::body::Bytes,
) -> Response {
    let f = crate::tasks::form::fields(&body);
    let what = Shown::of_code(&crate::tasks::form::one(&f, "what"));
    let input = PushInput {
        scene: match what {
            Some(Shown::Scene(s)) => Some(s),
            _ => None,
        },
        alert: match what {
            Some(Shown::Incident(a)) => Some(a),
            _ => None,
        },
        display: crate::tasks::form::one(&f, "display").parse().ok(),
    };
    push_scene(&state, &principal, &ip, &input)
        .await
        .map_or_else(crate::alerts::refused_page, |_| back_to_console())
}

/// `POST /console/walls/release`: `display` (empty: every wall).
pub async fn form_release(
    State(state): State<AppState>,
    crate::auth::callers::Person { principal, .. }: crate::auth::callers::Person,
    ClientAddress(ip): ClientAddress,
    body: axum::body::Bytes,
) -> Response {
    let f = crate::tasks::form::fields(&body);
    let input = ReleaseInput {
        display: crate::tasks::form::one(&f, "display").parse().ok(),
    };
    release(&state, &principal, &ip, &input)
        .await
        .map_or_else(crate::alerts::refused_page, |_| back_to_console())
}
