//! The language each person and each wall screen last chose (`users.language`,
//! `displays.language`): a screen opened without `?lang=` speaks it.

use crate::model::Locale;

/// Who chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chooser {
    User(i64),
    Display(i64),
}

impl Chooser {
    fn table(self) -> (&'static str, i64) {
        match self {
            Chooser::User(id) => ("users", id),
            Chooser::Display(id) => ("displays", id),
        }
    }
}

/// The language `who` last chose (Vietnamese if never).
pub async fn of(conn: &mut super::Conn, who: Chooser) -> sqlx::Result<Locale> {
    let (table, id) = who.table();
    let code: Option<String> =
        sqlx::query_scalar(&format!("SELECT language FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(code.map(|c| Locale::from_code(&c)).unwrap_or_default())
}

/// Remembers `locale` for `who`; whether it changed.
pub async fn choose(conn: &mut super::Conn, who: Chooser, locale: Locale) -> sqlx::Result<bool> {
    let (table, id) = who.table();
    let done = sqlx::query(&format!(
        "UPDATE {table} SET language = $1 WHERE id = $2 AND language <> $1"
    ))
    .bind(locale.code())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
