//! The few DOM operations the browser needs where it writes live figures into markup the
//! server drew (the commune map, the 766 ranking's links) instead of hydrating a view.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::Element;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

pub fn find(selector: &str) -> Option<Element> {
    document()?.query_selector(selector).ok().flatten()
}

pub fn first(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

pub fn set_attr(el: &Element, name: &str, value: &str) {
    if el.get_attribute(name).as_deref() != Some(value) {
        el.set_attribute(name, value).ok();
    }
}

pub fn set_hidden(el: &Element, hidden: bool) {
    if hidden != el.has_attribute("hidden") {
        el.toggle_attribute_with_force("hidden", hidden).ok();
    }
}

pub fn set_text(el: &Element, text: &str) {
    if el.text_content().as_deref() != Some(text) {
        el.set_text_content(Some(text));
    }
}

/// Writes `texts` into a table row's cells (`td`, in order).
pub fn set_cells(row: &Element, texts: &[&str]) {
    for (cell, text) in all(row, "td").iter().zip(texts) {
        set_text(cell, text);
    }
}

pub fn element(tag: &str) -> Element {
    document()
        .and_then(|d| d.create_element(tag).ok())
        .expect("the document makes elements")
}

/// [`super::direct_link`] as an element, for what the browser writes itself.
pub fn direct_link(href: &str, locale: crate::model::Locale) -> Element {
    let (vi, en) = super::ASSIGN_TASK;
    let a = text_element("a", locale.pick(vi, en), Some("direct"));
    a.set_attribute("href", href).ok();
    a
}

pub fn text_element(tag: &str, text: &str, class: Option<&str>) -> Element {
    let el = element(tag);
    el.set_text_content(Some(text));
    if let Some(class) = class {
        el.set_attribute("class", class).ok();
    }
    el
}

/// Runs `f` on every click on `el`, for the page's life.
pub fn on_click(el: &Element, f: impl Fn() + 'static) {
    let handler = Closure::<dyn Fn()>::new(f);
    el.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref())
        .ok();
    handler.forget();
}
