//! The data of the administration, account and submission screens, read on the server
//! while the page renders (plain functions, not server functions: nothing here is reachable
//! over HTTP except through its page). Who may see what is checked here, again, whatever
//! the page shows.

use crate::model::account::{AccountData, AdminData, SubmitData};
use crate::model::Locale;
use leptos::prelude::*;

/// Filters of the audit list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditQuery {
    pub action: String,
    pub actor: String,
    /// YYYY-MM-DD, inclusive.
    pub from: String,
    pub to: String,
}

pub async fn load_admin(locale: Locale, audit: AuditQuery) -> Result<AdminData, ServerFnError> {
    use crate::model::account::{AuditRow, DisplayRow, TokenRow, UserRow, Viewer};
    use crate::store::{self, time_text};

    let principal = crate::api::current_principal().ok_or_else(|| ServerFnError::new("sign in"))?;
    if !principal.is_admin() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(ServerFnError::new("only administrators"));
    }
    let ctx = expect_context::<crate::api::ServerContext>();
    let mut conn = ctx.db.acquire().await?;
    let date = |text: &str, end: bool| {
        let d = time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        let t = if end {
            time::Time::from_hms(23, 59, 59).ok()?
        } else {
            time::Time::MIDNIGHT
        };
        Some(d.with_time(t).assume_offset(crate::model::format::VIETNAM))
    };
    let filter = store::audit::Filter {
        action: Some(audit.action.trim().to_string()).filter(|a| !a.is_empty()),
        actor: Some(audit.actor.trim().to_string()).filter(|a| !a.is_empty()),
        since: date(&audit.from, false),
        until: date(&audit.to, true),
        limit: 300,
    };
    let when = |at: time::OffsetDateTime| crate::model::format::date_time(at, locale);
    let users = store::users::list(&mut conn)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            name: u.display_name,
            role: u.role,
            agency: u.agency,
            disabled: u.disabled_at.is_some(),
            created: when(u.created_at),
        })
        .collect();
    let tokens = store::tokens::list(&ctx.db)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            agency: t.agency,
            label: t.label,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let displays = store::displays::list(&mut conn)
        .await?
        .into_iter()
        .map(|d| DisplayRow {
            id: d.id,
            name: d.name,
            created: when(d.created_at),
            last_seen: d.last_seen_at.map(when),
            revoked: d.revoked_at.is_some(),
            live: d.revoked_at.is_none()
                && d.last_seen_at.is_some_and(|at| {
                    time::OffsetDateTime::now_utc() - at
                        <= time::Duration::seconds(crate::model::account::DISPLAY_LIVE_WITHIN_SECS)
                }),
        })
        .collect();
    let audit = store::audit::read(&mut conn, &filter)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: {
                let t = e.at.to_offset(crate::model::format::VIETNAM);
                format!(
                    "{:02}:{:02}:{:02} {}",
                    t.hour(),
                    t.minute(),
                    t.second(),
                    crate::model::format::date(t.date(), locale)
                )
            },
            at_exact: time_text::format(e.at),
            actor: format!("{} {}", e.actor_kind, e.actor_name),
            action: e.action,
            target: e.target.unwrap_or_default(),
            detail: e.detail,
            ip: e.ip.unwrap_or_default(),
        })
        .collect();
    let agencies = ctx
        .catalogue
        .agencies
        .iter()
        .filter(|a| a.members.is_none())
        .map(|a| (a.code.clone(), a.short(locale).to_string()))
        .collect();
    Ok(AdminData {
        viewer: Viewer::of(&principal, locale),
        users,
        tokens,
        displays,
        audit,
        agencies,
    })
}

pub async fn load_submit(locale: Locale) -> Result<SubmitData, ServerFnError> {
    use crate::model::account::{SubmitIndicator, Viewer};
    use crate::model::Level;

    let principal = crate::api::current_principal().ok_or_else(|| ServerFnError::new("sign in"))?;
    let Some(agency) = principal.submits_for().map(str::to_string) else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(ServerFnError::new(
            "only an agency's officers submit figures",
        ));
    };
    let ctx = expect_context::<crate::api::ServerContext>();
    let catalogue = &ctx.catalogue;
    let indicators = catalogue
        .indicators
        .iter()
        .filter(|i| i.agency == agency)
        .map(|i| SubmitIndicator {
            code: i.code.clone(),
            name: i.name(locale).to_string(),
            unit: i.unit.code().to_string(),
            unit_label: i.unit.name(locale).to_string(),
            period: i.cadence.period_kind().label(locale).to_string(),
            commune_level: i.level == Level::Commune,
        })
        .collect();
    let units = crate::model::Unit::ALL
        .iter()
        .map(|u| (u.code().to_string(), u.name(locale).to_string()))
        .collect();
    let today = crate::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let mut areas: Vec<(String, String)> = catalogue
        .areas_on(today)
        .filter(|a| a.code == catalogue.province || a.is_commune_level())
        .map(|a| (a.code.clone(), a.name_vi.clone()))
        .collect();
    areas.sort_by_key(|(code, _)| (code != &catalogue.province, code.clone()));
    Ok(SubmitData {
        viewer: Viewer::of(&principal, locale),
        agency_name: catalogue
            .agency(&agency)
            .map(|a| a.name(locale).to_string())
            .unwrap_or(agency),
        indicators,
        units,
        areas,
        key: hex::encode(rand::random::<[u8; 12]>()),
    })
}

/// The signed-in person's own account (not a display's).
pub async fn load_account(locale: Locale) -> Result<AccountData, ServerFnError> {
    use crate::model::account::{Principal, Viewer};

    let principal = crate::api::current_principal().ok_or_else(|| ServerFnError::new("sign in"))?;
    let Principal::User {
        username, agency, ..
    } = &principal
    else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(ServerFnError::new("only people have accounts"));
    };
    let ctx = expect_context::<crate::api::ServerContext>();
    Ok(AccountData {
        viewer: Viewer::of(&principal, locale),
        username: username.clone(),
        agency_name: agency
            .as_deref()
            .and_then(|a| ctx.catalogue.agency(a))
            .map(|a| a.name(locale).to_string()),
    })
}
