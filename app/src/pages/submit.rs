//! The agency officer's screen: submit or correct the agency's figures — one at a time, or
//! many as CSV — through the same validation and idempotency as the ingest API.

use leptos::prelude::*;

use crate::components::session_menu::SessionMenu;
use crate::model::account::SubmitData;
use crate::model::Locale;
use crate::pages::{form_screen, use_locale};

#[component]
pub fn SubmitPage() -> impl IntoView {
    let locale = use_locale();
    form_screen(
        locale,
        (
            "Chỉ cán bộ của cơ quan cung cấp số liệu được gửi số liệu",
            "Only an agency's officers may submit figures",
        ),
        move || crate::api::admin::load_submit(locale),
        move |data| view! { <Submit data locale /> },
    )
}

#[component]
fn Submit(data: SubmitData, locale: Locale) -> impl IntoView {
    let l = locale;
    let indicators = data
        .indicators
        .iter()
        .map(|i| view! { <option value=i.code.clone()>{format!("{} ({}; {})", i.name, i.unit_label, i.period)}</option> })
        .collect_view();
    let areas = data.areas.iter().map(|(code, name)| view! { <option value=code.clone()>{format!("{name} ({code})")}</option> }).collect_view();
    let units = data
        .units
        .iter()
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .collect_view();
    let codes = data.indicators.iter().map(|i| {
        let commune = i.commune_level.then_some(l.pick(" · theo xã, phường", " · by commune"));
        view! { <li><code>{i.code.clone()}</code>" — "{i.name.clone()}" — "{i.unit_label.clone()}" ("<code>{i.unit.clone()}</code>"), "{i.period.clone()}{commune}</li> }
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
                        <label>{l.pick("Kỳ (vd. 23/11/2026, tháng 11/2026, quý IV/2026, năm 2026)", "Period (e.g. 23/11/2026, 11/2026, Q4 2026, 2026)")}<input name="period" required /></label>
                        <label>{l.pick("Giá trị (dấu phẩy thập phân được)", "Value (a decimal comma is fine)")}<input name="value" inputmode="decimal" required /></label>
                        <label>{l.pick("Đơn vị tính", "Unit")}<select name="unit">{units}</select></label>
                        <button type="submit">{l.pick("Gửi", "Submit")}</button>
                    </form>
                </section>
                <section>
                    <h2>{l.pick("Nhiều số liệu (CSV)", "Many figures (CSV)")}</h2>
                    <p class="hint">{l.pick("Dòng đầu:", "Header row:")}" "<code>"indicator,area,period,value,unit"</code>{l.pick(
                        " (cột as_of tùy chọn). Cột unit ghi mã đơn vị tính (trong ngoặc ở danh sách dưới); kỳ ghi như 23/11/2026, tháng 11/2026, quý IV/2026, năm 2026. Cả lô được nhận hoặc bị từ chối cùng lúc; lỗi ghi theo dòng.",
                        " (an as_of column is optional). The unit column holds the unit's code (in brackets in the list below); periods read like 23/11/2026, 11/2026, Q4 2026, 2026. The batch is accepted or refused whole; problems are named by line.",
                    )}</p>
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
