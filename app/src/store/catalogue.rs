//! Writes the province's reference data (agencies, units, indicators) into the database, so
//! every stored figure refers to a known row. Entries that left the data files are kept
//! (old figures refer to them) but marked inactive. A change that would make stored figures
//! mean something else — a new unit or cadence for an indicator that has figures — is
//! refused, and nothing is written.

use super::{enum_text, Db};
use crate::model::{Catalogue, Target};

/// Why the province data was not written.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the province data would change what stored figures mean:\n{}\nAn indicator with figures keeps its unit and cadence; to measure it another way, give it a new code.",
        .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Reinterprets(Vec<String>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The indicators whose figures `catalogue` would reinterpret, one line each.
async fn reinterpreted(conn: &mut super::Conn, catalogue: &Catalogue) -> sqlx::Result<Vec<String>> {
    let stored: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT i.code, i.unit, i.cadence, i.by_project FROM indicators i
         WHERE EXISTS (SELECT 1 FROM observations o WHERE o.indicator_code = i.code)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut problems = Vec::new();
    for (code, unit, cadence, by_project) in stored {
        let Some(new) = catalogue.indicator(&code) else {
            continue;
        };
        if new.unit.code() != unit {
            problems.push(format!(
                "indicator '{code}': unit {unit} → {}, but its figures are stored in {unit}",
                new.unit.code()
            ));
        }
        let keyed_below = new.by_project || new.by_agency;
        if keyed_below != (by_project != 0) {
            problems.push(format!(
                "indicator '{code}': reported per project or service desk {} → {keyed_below}, but its figures are stored {}",
                by_project != 0,
                if by_project != 0 {
                    "per project or desk"
                } else {
                    "per area"
                }
            ));
        }
        let new_cadence = enum_text(&new.cadence);
        if new_cadence != cadence {
            problems.push(format!(
                "indicator '{code}': cadence {cadence} → {new_cadence}, but its figures are stored by {cadence} periods"
            ));
        }
    }
    Ok(problems)
}

/// Brings the tables in line with `catalogue`, in one transaction.
pub async fn sync(db: &Db, catalogue: &Catalogue) -> Result<(), SyncError> {
    let mut tx = super::write(db).await?;
    let problems = reinterpreted(&mut tx, catalogue).await?;
    if !problems.is_empty() {
        return Err(SyncError::Reinterprets(problems));
    }
    sqlx::query("UPDATE agencies SET active = 0")
        .execute(&mut *tx)
        .await?;
    for a in &catalogue.agencies {
        sqlx::query(
            "INSERT INTO agencies (code, name_vi, name_en, short_vi, short_en, area_code, active) VALUES ($1, $2, $3, $4, $5, $6, 1)
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
               short_vi = excluded.short_vi, short_en = excluded.short_en, area_code = excluded.area_code, active = 1",
        )
        .bind(&a.code)
        .bind(&a.name_vi)
        .bind(&a.name_en)
        .bind(&a.short_vi)
        .bind(&a.short_en)
        .bind(&a.area)
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query("UPDATE admin_units SET active = 0")
        .execute(&mut *tx)
        .await?;
    for a in &catalogue.areas {
        sqlx::query(
            "INSERT INTO admin_units (code, official_code, name_vi, kind, parent_code, valid_from, valid_to, lon, lat, active)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
             ON CONFLICT (code) DO UPDATE SET official_code = excluded.official_code, name_vi = excluded.name_vi,
               kind = excluded.kind, parent_code = excluded.parent_code, valid_from = excluded.valid_from,
               valid_to = excluded.valid_to, lon = excluded.lon, lat = excluded.lat, active = 1",
        )
        .bind(&a.code)
        .bind(a.official_code())
        .bind(&a.name_vi)
        .bind(enum_text(&a.kind))
        .bind(&a.parent)
        .bind(a.valid_from.map(|d| d.to_string()))
        .bind(a.valid_to.map(|d| d.to_string()))
        .bind(a.point.map(|p| p[0]))
        .bind(a.point.map(|p| p[1]))
        .execute(&mut *tx)
        .await?;
    }

    sqlx::query("UPDATE indicators SET active = 0")
        .execute(&mut *tx)
        .await?;
    for i in &catalogue.indicators {
        let (target_indicator, target_value) = match &i.target {
            Some(Target::Indicator(code)) => (Some(code.clone()), None),
            Some(Target::Value(v)) => (None, Some(v.to_string())),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO indicators (code, name_vi, name_en, sector, unit, cadence, agency_code, level, direction,
               min_value, max_value, target_indicator, target_value, threshold_warning, threshold_critical,
               max_age_hours, source, by_project, active)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)
             ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
               sector = excluded.sector, unit = excluded.unit, cadence = excluded.cadence,
               agency_code = excluded.agency_code, level = excluded.level, direction = excluded.direction,
               min_value = excluded.min_value, max_value = excluded.max_value,
               target_indicator = excluded.target_indicator, target_value = excluded.target_value,
               threshold_warning = excluded.threshold_warning, threshold_critical = excluded.threshold_critical,
               max_age_hours = excluded.max_age_hours, source = excluded.source,
               by_project = excluded.by_project, active = 1",
        )
        .bind(&i.code)
        .bind(&i.name_vi)
        .bind(&i.name_en)
        .bind(&i.sector)
        .bind(i.unit.code())
        .bind(enum_text(&i.cadence))
        .bind(&i.agency)
        .bind(enum_text(&i.level))
        .bind(enum_text(&i.direction))
        .bind(i.min.map(|v| v.to_string()))
        .bind(i.max.map(|v| v.to_string()))
        .bind(target_indicator)
        .bind(target_value)
        .bind(i.threshold.map(|t| t.warning.to_string()))
        .bind(i.threshold.map(|t| t.critical.to_string()))
        .bind(i.max_age_hours.map(i64::from))
        .bind(&i.source)
        // the column says whether figures are keyed below their area (project_code): per
        // project or per service desk
        .bind(i64::from(i.by_project || i.by_agency))
        .execute(&mut *tx)
        .await?;
    }
    Ok(tx.commit().await?)
}
