//! The agency officer's screen: submit or correct the agency's figures — one at a time, or
//! many as CSV — through the same validation and idempotency as the ingest API.

use leptos::prelude::*;

use crate::components::session_menu::SessionMenu;
use crate::model::account::SubmitData;
use crate::model::Locale;
use crate::pages::{form_screen, use_locale};

#[component]
pub fn SubmitPage() -> impl IntoView {
    let chosen = use_locale();
    let locale = Memo::new(move |_| chosen);
    form_screen(
        chosen,
        (
            "Chỉ cán bộ của cơ quan cung cấp số liệu được gửi số liệu",
            "Only an agency's officers may submit figures",
        ),
        move || crate::api::admin::get_submit(chosen),
        move |data| view! { <Submit data locale /> },
    )
}

#[component]
fn Submit(data: SubmitData, locale: Memo<Locale>) -> impl IntoView {
    let l = locale.get_untracked();
    let indicators = data
        .indicators
        .iter()
        .map(|(code, name, unit, pattern, _)| view! { <option value=code.clone()>{format!("{name} ({unit}; {pattern})")}</option> })
        .collect_view();
    let areas = data.areas.iter().map(|(code, name)| view! { <option value=code.clone()>{format!("{name} ({code})")}</option> }).collect_view();
    let units = crate::model::Unit::ALL
        .iter()
        .map(|u| view! { <option value=u.code()>{u.code()}</option> })
        .collect_view();
    let codes = data.indicators.iter().map(|(code, _, unit, pattern, commune)| {
        view! { <li><code>{code.clone()}</code>" — "{unit.clone()}", "{pattern.clone()}{commune.then_some(" · theo xã / by commune")}</li> }
    }).collect_view();
    view! {
        <div class="screen submit">
            <header class="topbar">
                <div class="brand">
                    <span class="emblem" aria-hidden="true">"IOC"</span>
                    <div>
                        <h1>{l.pick("Gửi số liệu", "Submit figures")}</h1>
                        <p class="province">{data.agency_name.clone()}</p>
                    </div>
                </div>
                <SessionMenu viewer=data.viewer.clone() locale />
            </header>
            <main class="forms">
                <section>
                    <h2>{l.pick("Một số liệu", "One figure")}</h2>
                    <p class="hint">{l.pick(
                        "Gửi lại cùng chỉ tiêu, đơn vị và kỳ là điều chỉnh: số cũ được giữ, số mới là phiên bản tiếp theo.",
                        "Sending the same indicator, unit and period again corrects it: the old figure is kept, the new one is the next revision.",
                    )}</p>
                    <form method="post" action="/submit" class="stack">
                        <input type="hidden" name="key" value=format!("{}-one", data.key) />
                        <label>{l.pick("Chỉ tiêu", "Indicator")}<select name="indicator" required>{indicators}</select></label>
                        <label>{l.pick("Đơn vị hành chính", "Administrative unit")}<select name="area" required>{areas}</select></label>
                        <label>{l.pick("Kỳ (vd. 2026-11-23, 2026-11, 2026-Q4, 2026)", "Period (e.g. 2026-11-23, 2026-11, 2026-Q4, 2026)")}<input name="period" required /></label>
                        <label>{l.pick("Giá trị (dấu phẩy thập phân được)", "Value (a decimal comma is fine)")}<input name="value" inputmode="decimal" required /></label>
                        <label>{l.pick("Đơn vị tính", "Unit")}<select name="unit">{units}</select></label>
                        <button type="submit">{l.pick("Gửi", "Submit")}</button>
                    </form>
                </section>
                <section>
                    <h2>{l.pick("Nhiều số liệu (CSV)", "Many figures (CSV)")}</h2>
                    <p class="hint">{l.pick("Dòng đầu:", "Header row:")}" "<code>"indicator,area,period,value,unit"</code>{l.pick(" (cột as_of tùy chọn). Cả lô được nhận hoặc bị từ chối cùng lúc; lỗi ghi theo dòng.", " (an as_of column is optional). The batch is accepted or refused whole; problems are named by line.")}</p>
                    <form method="post" action="/submit" class="stack">
                        <input type="hidden" name="key" value=format!("{}-csv", data.key) />
                        <textarea name="csv" rows="10" required placeholder="indicator,area,period,value,unit"></textarea>
                        <button type="submit">{l.pick("Gửi lô", "Submit batch")}</button>
                    </form>
                    <h3>{l.pick("Chỉ tiêu của cơ quan", "The agency's indicators")}</h3>
                    <ul class="codes">{codes}</ul>
                </section>
            </main>
        </div>
    }
}
