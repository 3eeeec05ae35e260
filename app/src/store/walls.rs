//! Wall mode's tables: scenes, playlists, each wall's playlist and what it last said it
//! shows, and the pushes in force. Every change is written with its audit entry in the
//! caller's transaction. See [`crate::model::wall`].

use time::OffsetDateTime;

use super::{audit, time_text};
use crate::model::wall::{self, Entry, Panel, Playlist, Push, Scene, Shown};

fn corrupt(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("wall data serialises")
}

type SceneRow = (i64, String, String, String);

fn scene(r: SceneRow) -> sqlx::Result<Scene> {
    Ok(Scene {
        id: r.0,
        name: r.1,
        panels: serde_json::from_str(&r.2).map_err(corrupt)?,
        updated_at: time_text::parse(&r.3)?,
    })
}

pub async fn scenes(conn: &mut super::Conn) -> sqlx::Result<Vec<Scene>> {
    let rows: Vec<SceneRow> =
        sqlx::query_as("SELECT id, name, panels, updated_at FROM wall_scenes ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(scene).collect()
}

pub async fn scene_by_id(conn: &mut super::Conn, id: i64) -> sqlx::Result<Option<Scene>> {
    let row: Option<SceneRow> =
        sqlx::query_as("SELECT id, name, panels, updated_at FROM wall_scenes WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(scene).transpose()
}

/// Stores a new scene (checked by the caller); its id.
pub async fn create_scene(
    conn: &mut super::Conn,
    name: &str,
    panels: &[Panel],
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wall_scenes (name, panels, updated_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name.trim())
    .bind(json(&panels))
    .bind(time_text::format(now))
    .fetch_one(&mut *conn)
    .await?;
    record_change(conn, entry, format!("scene:{id}"), name, json(&panels), now).await?;
    Ok(id)
}

/// Replaces a scene's name and panels; whether it exists.
pub async fn update_scene(
    conn: &mut super::Conn,
    id: i64,
    name: &str,
    panels: &[Panel],
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE wall_scenes SET name = $1, panels = $2, updated_at = $3 WHERE id = $4")
            .bind(name.trim())
            .bind(json(&panels))
            .bind(time_text::format(now))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    record_change(conn, entry, format!("scene:{id}"), name, json(&panels), now).await?;
    Ok(true)
}

async fn record_change(
    conn: &mut super::Conn,
    entry: audit::NewEntry<'_>,
    target: String,
    name: &str,
    content: String,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let detail = serde_json::json!({
        "name": name.trim(),
        "content": serde_json::from_str::<serde_json::Value>(&content).unwrap_or_default(),
    });
    audit::record(
        conn,
        &audit::NewEntry {
            target: Some(target),
            detail,
            ..entry
        },
        now,
    )
    .await
}

/// Why a scene or playlist could not be deleted.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    Done,
    NotFound,
    /// A scene still in these playlists.
    InUse(Vec<String>),
}

/// Deletes a scene no playlist shows (pushes of it end with it).
pub async fn delete_scene(
    conn: &mut super::Conn,
    id: i64,
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Deleted> {
    let using: Vec<String> = playlists(&mut *conn)
        .await?
        .into_iter()
        .filter(|p| p.entries.iter().any(|e| e.scene == id))
        .map(|p| p.name)
        .collect();
    if !using.is_empty() {
        return Ok(Deleted::InUse(using));
    }
    let Some(old) = scene_by_id(&mut *conn, id).await? else {
        return Ok(Deleted::NotFound);
    };
    sqlx::query("UPDATE wall_pushes SET released_at = $1, released_by = $2 WHERE scene_id = $3 AND released_at IS NULL")
        .bind(time_text::format(now))
        .bind(&entry.actor_name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM wall_pushes WHERE scene_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM wall_scenes WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    record_change(
        conn,
        entry,
        format!("scene:{id}"),
        &old.name,
        json(&old.panels),
        now,
    )
    .await?;
    Ok(Deleted::Done)
}

type PlaylistRow = (i64, String, String, String);

fn playlist(r: PlaylistRow) -> sqlx::Result<Playlist> {
    Ok(Playlist {
        id: r.0,
        name: r.1,
        entries: serde_json::from_str(&r.2).map_err(corrupt)?,
        updated_at: time_text::parse(&r.3)?,
    })
}

pub async fn playlists(conn: &mut super::Conn) -> sqlx::Result<Vec<Playlist>> {
    let rows: Vec<PlaylistRow> =
        sqlx::query_as("SELECT id, name, entries, updated_at FROM wall_playlists ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(playlist).collect()
}

pub async fn create_playlist(
    conn: &mut super::Conn,
    name: &str,
    entries: &[Entry],
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wall_playlists (name, entries, updated_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name.trim())
    .bind(json(&entries))
    .bind(time_text::format(now))
    .fetch_one(&mut *conn)
    .await?;
    record_change(
        conn,
        entry,
        format!("playlist:{id}"),
        name,
        json(&entries),
        now,
    )
    .await?;
    Ok(id)
}

pub async fn update_playlist(
    conn: &mut super::Conn,
    id: i64,
    name: &str,
    entries: &[Entry],
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE wall_playlists SET name = $1, entries = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(name.trim())
    .bind(json(&entries))
    .bind(time_text::format(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    record_change(
        conn,
        entry,
        format!("playlist:{id}"),
        name,
        json(&entries),
        now,
    )
    .await?;
    Ok(true)
}

/// Deletes a playlist; the walls that followed it follow the first playlist.
pub async fn delete_playlist(
    conn: &mut super::Conn,
    id: i64,
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Deleted> {
    let Some(old) = playlists(&mut *conn)
        .await?
        .into_iter()
        .find(|p| p.id == id)
    else {
        return Ok(Deleted::NotFound);
    };
    sqlx::query("UPDATE displays SET playlist_id = NULL WHERE playlist_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM wall_playlists WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    record_change(
        conn,
        entry,
        format!("playlist:{id}"),
        &old.name,
        json(&old.entries),
        now,
    )
    .await?;
    Ok(Deleted::Done)
}

/// A wall's settings and what it last said it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallState {
    pub display: i64,
    pub playlist: Option<i64>,
    pub shown: Option<Shown>,
    pub shown_at: Option<OffsetDateTime>,
}

pub async fn wall_states(conn: &mut super::Conn) -> sqlx::Result<Vec<WallState>> {
    let rows: Vec<(i64, Option<i64>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, playlist_id, shown, shown_at FROM displays ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(display, playlist, shown, at)| {
            Ok(WallState {
                display,
                playlist,
                shown: shown.as_deref().and_then(Shown::of_code),
                shown_at: at.as_deref().map(time_text::parse).transpose()?,
            })
        })
        .collect()
}

/// The playlist a wall follows: its own, or the first.
pub async fn playlist_of(conn: &mut super::Conn, display: i64) -> sqlx::Result<Option<Playlist>> {
    let own: Option<Option<i64>> =
        sqlx::query_scalar("SELECT playlist_id FROM displays WHERE id = $1")
            .bind(display)
            .fetch_optional(&mut *conn)
            .await?;
    let all = playlists(conn).await?;
    let chosen = own
        .flatten()
        .and_then(|id| all.iter().position(|p| p.id == id));
    Ok(chosen
        .or((!all.is_empty()).then_some(0))
        .map(|i| all[i].clone()))
}

/// Sets the playlist a wall follows (none: the first); whether the wall exists.
pub async fn assign_playlist(
    conn: &mut super::Conn,
    display: i64,
    playlist: Option<i64>,
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE displays SET playlist_id = $1 WHERE id = $2")
        .bind(playlist)
        .bind(display)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(
        conn,
        &audit::NewEntry {
            target: Some(format!("display:{display}")),
            detail: serde_json::json!({ "playlist": playlist }),
            ..entry
        },
        now,
    )
    .await?;
    Ok(true)
}

/// Records what a wall says it shows now.
pub async fn report_shown(
    conn: &mut super::Conn,
    display: i64,
    shown: Shown,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE displays SET shown = $1, shown_at = $2, last_seen_at = $2 WHERE id = $3")
        .bind(shown.code())
        .bind(time_text::format(now))
        .bind(display)
        .execute(conn)
        .await?;
    Ok(())
}

type PushRow = (i64, Option<i64>, Option<i64>, Option<i64>, String, String);

/// The pushes in force, oldest first.
pub async fn standing_pushes(conn: &mut super::Conn) -> sqlx::Result<Vec<Push>> {
    let rows: Vec<PushRow> = sqlx::query_as(
        "SELECT id, display_id, scene_id, alert_id, pushed_by, pushed_at FROM wall_pushes WHERE released_at IS NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .filter_map(|(id, display, scene, alert, by, at)| {
            let shown = match (scene, alert) {
                (Some(s), _) => Shown::Scene(s),
                (None, Some(a)) => Shown::Incident(a),
                (None, None) => return None,
            };
            Some(time_text::parse(&at).map(|at| Push {
                id,
                display,
                shown,
                by,
                at,
            }))
        })
        .collect()
}

/// Pushes `shown` onto a wall (or every wall) in the name of `by` (as the wall says it);
/// the pushes it replaces (onto the same walls) are released. Its id.
pub async fn push(
    conn: &mut super::Conn,
    display: Option<i64>,
    shown: Shown,
    by: &str,
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    release_where(&mut *conn, display, &entry.actor_name, now).await?;
    let (scene, alert) = match shown {
        Shown::Scene(s) => (Some(s), None),
        Shown::Incident(a) => (None, Some(a)),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wall_pushes (display_id, scene_id, alert_id, pushed_by, pushed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(display)
    .bind(scene)
    .bind(alert)
    .bind(by)
    .bind(time_text::format(now))
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        &audit::NewEntry {
            target: Some(display.map_or_else(|| "display:all".into(), |d| format!("display:{d}"))),
            detail: serde_json::json!({ "push": id, "shown": shown.code() }),
            ..entry
        },
        now,
    )
    .await?;
    Ok(id)
}

/// Releases the pushes onto a wall (`Some`), or every push (`None`): the walls return to
/// their playlists. How many were released.
pub async fn release(
    conn: &mut super::Conn,
    display: Option<i64>,
    entry: audit::NewEntry<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let released = release_where(&mut *conn, display, &entry.actor_name, now).await?;
    if released > 0 {
        audit::record(
            conn,
            &audit::NewEntry {
                target: Some(
                    display.map_or_else(|| "display:all".into(), |d| format!("display:{d}")),
                ),
                detail: serde_json::json!({ "released": released }),
                ..entry
            },
            now,
        )
        .await?;
    }
    Ok(released)
}

async fn release_where(
    conn: &mut super::Conn,
    display: Option<i64>,
    by: &str,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let query = match display {
        Some(d) => sqlx::query("UPDATE wall_pushes SET released_at = $1, released_by = $2 WHERE released_at IS NULL AND display_id = $3")
            .bind(time_text::format(now))
            .bind(by)
            .bind(d),
        None => sqlx::query("UPDATE wall_pushes SET released_at = $1, released_by = $2 WHERE released_at IS NULL")
            .bind(time_text::format(now))
            .bind(by),
    };
    let done = query.execute(conn).await?;
    Ok(done.rows_affected())
}

/// A new database's scenes and playlist ([`wall::starting_scenes`]), when it has none.
pub async fn start_if_empty(conn: &mut super::Conn, now: OffsetDateTime) -> sqlx::Result<()> {
    let scenes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wall_scenes")
        .fetch_one(&mut *conn)
        .await?;
    let lists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wall_playlists")
        .fetch_one(&mut *conn)
        .await?;
    if scenes > 0 || lists > 0 {
        return Ok(());
    }
    let mut entries = Vec::new();
    for (name, panels) in wall::starting_scenes() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO wall_scenes (name, panels, updated_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(json(&panels))
        .bind(time_text::format(now))
        .fetch_one(&mut *conn)
        .await?;
        entries.push(Entry {
            scene: id,
            seconds: wall::STARTING_SECONDS,
        });
    }
    sqlx::query("INSERT INTO wall_playlists (name, entries, updated_at) VALUES ($1, $2, $3)")
        .bind("Mặc định")
        .bind(json(&entries))
        .bind(time_text::format(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A wall as the administration page and `GET /api/v1/walls` show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WallRow {
    pub id: i64,
    pub name: String,
    /// Connected to the live stream now (seen within
    /// [`crate::model::account::DISPLAY_LIVE_WITHIN_SECS`]).
    pub live: bool,
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub last_seen_at: Option<OffsetDateTime>,
    /// Its own playlist (none: the first).
    pub playlist: Option<i64>,
    /// What it last said it shows (`scene:<id>`, `incident:<alert>`), and when.
    pub shown: Option<String>,
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub shown_at: Option<OffsetDateTime>,
    /// The push it obeys ([`Push::for_wall`]).
    pub push: Option<serde_json::Value>,
}

/// Every wall not revoked, as it stands at `now`.
pub async fn walls_now(conn: &mut super::Conn, now: OffsetDateTime) -> sqlx::Result<Vec<WallRow>> {
    let displays = super::displays::list(&mut *conn).await?;
    let states = wall_states(&mut *conn).await?;
    let pushes = standing_pushes(conn).await?;
    Ok(displays
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .map(|d| {
            let s = states.iter().find(|s| s.display == d.id);
            WallRow {
                id: d.id,
                live: d.last_seen_at.is_some_and(|t| {
                    now - t
                        <= time::Duration::seconds(crate::model::account::DISPLAY_LIVE_WITHIN_SECS)
                }),
                name: d.name,
                last_seen_at: d.last_seen_at,
                playlist: s.and_then(|s| s.playlist),
                shown: s.and_then(|s| s.shown).map(Shown::code),
                shown_at: s.and_then(|s| s.shown_at),
                push: wall::push_for(&pushes, d.id).map(Push::for_wall),
            }
        })
        .collect())
}
