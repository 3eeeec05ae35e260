//! `ioc migrate --from … --to …`: copies a whole database — SQLite into PostgreSQL, the way
//! a province moves from one server to several — with everything that makes it the same
//! stream: the epoch, every offset, every revision, the audit trail, accounts, tokens,
//! displays, idempotency records and sessions (a person signed in stays signed in).
//!
//! The target must be a PostgreSQL database holding no data yet (its migrations are
//! applied first). The copy runs in one transaction of the target: a failure leaves it as
//! it was. Afterwards each table is read back from the target and compared with the source
//! — row counts and a checksum of every value — and the identity sequences are moved past
//! the copied ids, so new tokens, accounts, displays and audit entries continue from there.
//! The target is analysed at the end, so its first queries are planned with statistics.

use anyhow::{bail, ensure, Context};
use app::store::{Backend, Db};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Row, ValueRef};

use crate::db;

/// A table to copy: its columns, and how to page through it.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    /// An integer key to page by; small tables without one are read at once.
    id: Option<&'static str>,
}

/// In an order that respects every foreign key.
const TABLES: &[Table] = &[
    Table {
        name: "agencies",
        columns: &[
            "code",
            "name_vi",
            "name_en",
            "short_vi",
            "short_en",
            "area_code",
            "active",
        ],
        id: None,
    },
    Table {
        name: "admin_units",
        columns: &[
            "code",
            "official_code",
            "name_vi",
            "kind",
            "parent_code",
            "valid_from",
            "valid_to",
            "lon",
            "lat",
            "active",
        ],
        id: None,
    },
    Table {
        name: "admin_unit_crosswalk",
        columns: &["from_code", "to_code", "share"],
        id: None,
    },
    Table {
        name: "indicators",
        columns: &[
            "code",
            "name_vi",
            "name_en",
            "sector",
            "unit",
            "cadence",
            "agency_code",
            "level",
            "direction",
            "min_value",
            "max_value",
            "target_indicator",
            "target_value",
            "threshold_warning",
            "threshold_critical",
            "max_age_hours",
            "source",
            "by_project",
            "active",
        ],
        id: None,
    },
    Table {
        name: "stream_events",
        columns: &["id", "kind", "recorded_at"],
        id: Some("id"),
    },
    Table {
        name: "observations",
        columns: &[
            "id",
            "indicator_code",
            "area_code",
            "project_code",
            "period",
            "period_start",
            "revision",
            "value",
            "unit",
            "agency_code",
            "as_of",
            "received_at",
        ],
        id: Some("id"),
    },
    Table {
        name: "api_tokens",
        columns: &[
            "id",
            "agency_code",
            "label",
            "token_hash",
            "created_at",
            "last_used_at",
            "revoked_at",
        ],
        id: Some("id"),
    },
    Table {
        name: "idempotency_records",
        columns: &[
            "submitter",
            "key",
            "agency_code",
            "request_hash",
            "status",
            "response",
            "created_at",
        ],
        id: None,
    },
    Table {
        name: "users",
        columns: &[
            "id",
            "username",
            "display_name",
            "role",
            "agency_code",
            "password_hash",
            "created_at",
            "disabled_at",
            "sessions_valid_from",
            "language",
        ],
        id: Some("id"),
    },
    Table {
        name: "wall_scenes",
        columns: &["id", "name", "panels", "updated_at"],
        id: Some("id"),
    },
    Table {
        name: "wall_playlists",
        columns: &["id", "name", "entries", "updated_at"],
        id: Some("id"),
    },
    Table {
        name: "displays",
        columns: &[
            "id",
            "name",
            "token_hash",
            "created_at",
            "last_seen_at",
            "revoked_at",
            "language",
            "playlist_id",
            "shown",
            "shown_at",
        ],
        id: Some("id"),
    },
    Table {
        name: "audit_log",
        columns: &[
            "id",
            "at",
            "actor_kind",
            "actor_id",
            "actor_name",
            "action",
            "target",
            "detail",
            "ip",
        ],
        id: Some("id"),
    },
    Table {
        name: "tasks",
        columns: &[
            "id",
            "title",
            "source",
            "lead_agency",
            "other_parties",
            "output",
            "deadline_text",
            "deadline",
            "due_on",
            "progress",
            "done_on",
            "reported_on",
            "raised_from",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ],
        id: Some("id"),
    },
    Table {
        name: "task_agencies",
        columns: &["task_id", "agency"],
        id: None,
    },
    Table {
        name: "task_notes",
        columns: &[
            "id", "task_id", "at", "on_day", "author", "agency", "kind", "progress", "body", "link",
        ],
        id: Some("id"),
    },
    Table {
        name: "alerts",
        columns: &[
            "id",
            "rule",
            "kind",
            "indicator_code",
            "area_code",
            "agency_code",
            "severity",
            "status",
            "value",
            "period",
            "as_of",
            "reason_vi",
            "reason_en",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "ack_note",
            "escalated_at",
            "resolved_at",
            "resolved_by",
            "resolve_note",
            "updated_at",
            "version",
        ],
        id: Some("id"),
    },
    Table {
        name: "shift_log",
        columns: &[
            "id",
            "at",
            "kind",
            "author_id",
            "author",
            "body",
            "open_alerts",
            "confirmed_at",
            "confirmed_by_id",
            "confirmed_by",
        ],
        id: Some("id"),
    },
    Table {
        name: "ingest_rejections",
        columns: &["id", "at", "agency_code", "items", "code"],
        id: Some("id"),
    },
    Table {
        name: "explanations",
        columns: &[
            "id",
            "indicator_code",
            "area_code",
            "agency_code",
            "author_id",
            "author",
            "why",
            "action",
            "by_date",
            "created_at",
            "expires_on",
            "figure_as_of",
        ],
        id: Some("id"),
    },
    Table {
        name: "explanation_requests",
        columns: &[
            "id",
            "indicator_code",
            "area_code",
            "agency_code",
            "requested_by_id",
            "requested_by",
            "requested_at",
            "due_at",
            "note",
            "answered_by",
        ],
        id: Some("id"),
    },
    Table {
        name: "wall_pushes",
        columns: &[
            "id",
            "display_id",
            "scene_id",
            "alert_id",
            "pushed_by",
            "pushed_at",
            "released_at",
            "released_by",
        ],
        id: Some("id"),
    },
];

/// Tables whose ids come from an identity sequence on PostgreSQL.
const IDENTITY_TABLES: &[&str] = &[
    "api_tokens",
    "users",
    "displays",
    "audit_log",
    "tasks",
    "task_notes",
    "alerts",
    "shift_log",
    "ingest_rejections",
    "explanations",
    "explanation_requests",
    "wall_scenes",
    "wall_playlists",
    "wall_pushes",
];

/// Rows read and written at once.
const PAGE: i64 = 5_000;

/// One value, as read from either backend.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Cell {
    fn read(row: &AnyRow, i: usize) -> sqlx::Result<Cell> {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            return Ok(Cell::Null);
        }
        Ok(match raw.type_info().kind() {
            AnyTypeInfoKind::Null => Cell::Null,
            AnyTypeInfoKind::Bool => Cell::Int(i64::from(row.try_get::<bool, _>(i)?)),
            AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
                Cell::Int(row.try_get(i)?)
            }
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Cell::Real(row.try_get(i)?),
            AnyTypeInfoKind::Text => Cell::Text(row.try_get(i)?),
            AnyTypeInfoKind::Blob => Cell::Bytes(row.try_get(i)?),
        })
    }

    /// As PostgreSQL's `jsonb_populate_recordset` reads it into the column's own type.
    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Int(n) => (*n).into(),
            Cell::Real(x) => (*x).into(),
            Cell::Text(s) => s.clone().into(),
            Cell::Bytes(b) => format!("\\x{}", hex::encode(b)).into(),
        }
    }

    fn hash_into(&self, hasher: &mut Sha256) {
        match self {
            Cell::Null => hasher.update([0]),
            Cell::Int(n) => {
                hasher.update([1]);
                hasher.update(n.to_le_bytes());
            }
            Cell::Real(x) => {
                hasher.update([2]);
                hasher.update(x.to_bits().to_le_bytes());
            }
            Cell::Text(s) => {
                hasher.update([3]);
                hasher.update((s.len() as u64).to_le_bytes());
                hasher.update(s.as_bytes());
            }
            Cell::Bytes(b) => {
                hasher.update([4]);
                hasher.update((b.len() as u64).to_le_bytes());
                hasher.update(b);
            }
        }
    }
}

/// Rows and a checksum of a table's content, independent of row order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub rows: u64,
    row_hashes: Vec<[u8; 32]>,
}

impl TableDigest {
    fn add(&mut self, row: &[Cell]) {
        let mut hasher = Sha256::new();
        for cell in row {
            cell.hash_into(&mut hasher);
        }
        self.row_hashes.push(hasher.finalize().into());
        self.rows += 1;
    }

    /// SHA-256 over the sorted row hashes, hex.
    pub fn checksum(&self) -> String {
        let mut sorted = self.row_hashes.clone();
        sorted.sort_unstable();
        let mut hasher = Sha256::new();
        for h in sorted {
            hasher.update(h);
        }
        hex::encode(hasher.finalize())
    }
}

/// What was copied: per table, its rows and checksum (the same on both sides).
#[derive(Debug)]
pub struct Copied {
    pub epoch: String,
    pub head: u64,
    pub tables: Vec<(String, u64, String)>,
}

/// One page of `table` after id `after` (the whole table if it has no id to page by).
async fn page(db: &Db, table: &Table, after: i64) -> anyhow::Result<Vec<Vec<Cell>>> {
    let list = table.columns.join(", ");
    let rows = match table.id {
        Some(id) => {
            sqlx::query(&format!(
                "SELECT {list} FROM {0} WHERE {id} > $1 ORDER BY {id} LIMIT {PAGE}",
                table.name
            ))
            .bind(after)
            .fetch_all(db)
            .await
        }
        None => {
            sqlx::query(&format!("SELECT {list} FROM {}", table.name))
                .fetch_all(db)
                .await
        }
    }
    .with_context(|| format!("cannot read {}", table.name))?;
    rows.iter()
        .map(|row| {
            (0..row.columns().len())
                .map(|i| Cell::read(row, i))
                .collect::<sqlx::Result<Vec<Cell>>>()
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Into::into)
}

/// Reads `table` a page at a time: each page, and where the next one starts (`None` after
/// the last).
async fn next_page(
    db: &Db,
    table: &Table,
    after: Option<i64>,
) -> anyhow::Result<Option<(Vec<Vec<Cell>>, Option<i64>)>> {
    let Some(after) = after else {
        return Ok(None);
    };
    let rows = page(db, table, after).await?;
    let next = match (table.id, rows.last().and_then(|r| r.first())) {
        (Some(_), Some(Cell::Int(last))) if rows.len() == PAGE as usize => Some(*last),
        _ => None,
    };
    Ok(Some((rows, next)))
}

/// Counts and checksums a table as it is in `db`.
async fn digest(db: &Db, table: &Table) -> anyhow::Result<TableDigest> {
    let mut digest = TableDigest::default();
    let mut after = Some(i64::MIN);
    while let Some((rows, next)) = next_page(db, table, after).await? {
        for row in &rows {
            digest.add(row);
        }
        after = next;
    }
    Ok(digest)
}

/// The SELECT that reads the sessions: SQLite keeps their expiry as Unix seconds,
/// PostgreSQL as a timestamp.
fn sessions_select(backend: Backend) -> &'static str {
    match backend {
        // (its store writes the expiry as text: '2026-12-02 13:00:00.5 +00:00:00')
        Backend::Sqlite => "SELECT id, data, CAST(strftime('%s', expiry_date) AS INTEGER) FROM tower_sessions",
        Backend::Postgres => "SELECT id, data, CAST(EXTRACT(EPOCH FROM expiry_date) AS BIGINT) FROM tower_sessions.session",
    }
}

/// Every session in `db` as (id, data, expiry in Unix seconds), and their digest.
async fn read_sessions(db: &Db) -> anyhow::Result<(Vec<Vec<Cell>>, TableDigest)> {
    let rows = sqlx::query(sessions_select(Backend::of(db)))
        .fetch_all(db)
        .await
        .context("cannot read the sessions")?;
    let mut digest = TableDigest::default();
    let mut sessions = Vec::with_capacity(rows.len());
    for row in &rows {
        let cells: Vec<Cell> = (0..3)
            .map(|i| Cell::read(row, i))
            .collect::<sqlx::Result<_>>()?;
        digest.add(&cells);
        sessions.push(cells);
    }
    Ok((sessions, digest))
}

/// Copies the database at `from` into the empty PostgreSQL database at `to`, then checks
/// the copy table by table.
pub async fn copy(from: &str, to: &str) -> anyhow::Result<Copied> {
    ensure!(
        db::backend(to)? == Backend::Postgres,
        "the target of a copy is a PostgreSQL database (postgres://…), not {}",
        db::redacted(to)
    );
    let source = db::open(from).await?;
    db::migrate(&source).await?;
    // the sessions table (SQLite's is made by its session store)
    db::sessions(&source).await?;
    let target = db::open(to).await?;
    db::migrate(&target).await?;
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", table.name))
            .fetch_one(&target)
            .await?;
        if n > 0 {
            bail!(
                "the target database {} already holds data ({n} row(s) in {}): copy into an empty database",
                db::redacted(to),
                table.name
            );
        }
    }
    let epoch: (String, String) =
        sqlx::query_as("SELECT epoch, created_at FROM stream_meta WHERE id = 1")
            .fetch_one(&source)
            .await?;

    let mut tx = target.begin().await?;
    let mut digests = Vec::new();
    for table in TABLES {
        let mut digest = TableDigest::default();
        let insert = format!(
            "INSERT INTO {0} ({1}) SELECT {1} FROM jsonb_populate_recordset(NULL::{0}, $1::jsonb)",
            table.name,
            table.columns.join(", ")
        );
        let mut after = Some(i64::MIN);
        while let Some((rows, next)) = next_page(&source, table, after).await? {
            after = next;
            for row in &rows {
                digest.add(row);
            }
            // (a table read whole is written a page at a time too)
            for chunk in rows.chunks(PAGE as usize) {
                let json: Vec<serde_json::Value> = chunk
                    .iter()
                    .map(|row| {
                        serde_json::Value::Object(
                            table
                                .columns
                                .iter()
                                .zip(row)
                                .map(|(c, cell)| (c.to_string(), cell.json()))
                                .collect(),
                        )
                    })
                    .collect();
                sqlx::query(&insert)
                    .bind(serde_json::Value::Array(json).to_string())
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("cannot write {}", table.name))?;
            }
        }
        digests.push((table.name.to_string(), digest));
    }
    // the sessions, with their expiry as a timestamp
    let (rows, sessions) = read_sessions(&source).await?;
    for chunk in rows.chunks(PAGE as usize) {
        let json: Vec<serde_json::Value> = chunk
            .iter()
            .map(|row| {
                serde_json::Value::Object(
                    ["id", "data", "expiry"]
                        .iter()
                        .zip(row)
                        .map(|(c, cell)| (c.to_string(), cell.json()))
                        .collect(),
                )
            })
            .collect();
        sqlx::query(
            "INSERT INTO tower_sessions.session (id, data, expiry_date)
             SELECT s.id, decode(substr(s.data, 3), 'hex'), to_timestamp(s.expiry)
             FROM jsonb_to_recordset($1::jsonb) AS s(id TEXT, data TEXT, expiry BIGINT)",
        )
        .bind(serde_json::Value::Array(json).to_string())
        .execute(&mut *tx)
        .await
        .context("cannot write the sessions")?;
    }
    sqlx::query("UPDATE stream_meta SET epoch = $1, created_at = $2 WHERE id = 1")
        .bind(&epoch.0)
        .bind(&epoch.1)
        .execute(&mut *tx)
        .await?;
    for table in IDENTITY_TABLES {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await.context("cannot commit the copy")?;
    // statistics for the planner now, not whenever autovacuum comes round to the new rows
    sqlx::query("ANALYZE").execute(&target).await?;

    // read everything back from the target and compare
    let mut tables = Vec::new();
    for (table, (name, expected)) in TABLES.iter().zip(&digests) {
        let found = digest(&target, table).await?;
        ensure!(
            found.rows == expected.rows && found.checksum() == expected.checksum(),
            "the copy of {name} differs from the source: {} row(s) copied of {}",
            found.rows,
            expected.rows
        );
        tables.push((name.clone(), found.rows, found.checksum()));
    }
    let (_, found) = read_sessions(&target).await?;
    ensure!(
        found.rows == sessions.rows && found.checksum() == sessions.checksum(),
        "the copy of the sessions differs from the source"
    );
    tables.push(("sessions".into(), found.rows, found.checksum()));
    let copied_epoch = app::store::meta::epoch(&target).await?;
    ensure!(copied_epoch == epoch.0, "the epoch was not copied");
    let head = app::store::observations::head(&target).await?;
    ensure!(
        head == app::store::observations::head(&source).await?,
        "the stream's head differs after the copy"
    );
    source.close().await;
    target.close().await;
    Ok(Copied {
        epoch: epoch.0,
        head,
        tables,
    })
}
