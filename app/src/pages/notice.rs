//! A short page that says what happened, in Vietnamese and then English, and where to go
//! next: the answer to a form post (a refusal, the problems of a submitted batch, a secret
//! shown once). Rendered on the server only, through Leptos like every other page, so text
//! is escaped in one place.

use leptos::prelude::*;

/// One problem of a refused submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeProblem {
    /// Where it is (`dòng 3 / line 3`), if anywhere.
    pub place: String,
    pub field: String,
    pub vi: String,
    pub en: String,
}

/// What a notice page says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notice {
    pub title_vi: String,
    pub title_en: String,
    /// Paragraphs, each in Vietnamese and English.
    pub paragraphs: Vec<(String, String)>,
    pub problems: Vec<NoticeProblem>,
    /// A secret (token) shown once, to be copied now.
    pub secret: Option<String>,
    /// Where to go next: (address, label).
    pub links: Vec<(String, String)>,
}

impl Notice {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Notice {
        Notice {
            title_vi: vi.into(),
            title_en: en.into(),
            ..Notice::default()
        }
    }

    pub fn paragraph(mut self, vi: impl Into<String>, en: impl Into<String>) -> Notice {
        self.paragraphs.push((vi.into(), en.into()));
        self
    }

    pub fn problems(mut self, problems: Vec<NoticeProblem>) -> Notice {
        self.problems = problems;
        self
    }

    pub fn secret(mut self, secret: impl Into<String>) -> Notice {
        self.secret = Some(secret.into());
        self
    }

    pub fn link(mut self, href: impl Into<String>, label: impl Into<String>) -> Notice {
        self.links.push((href.into(), label.into()));
        self
    }

    /// The whole HTML document.
    pub fn to_html(self) -> String {
        let owner = Owner::new();
        owner.with(|| view! { <NoticePage notice=self /> }.to_html())
    }
}

#[component]
fn NoticePage(notice: Notice) -> impl IntoView {
    let links = if notice.links.is_empty() {
        vec![(
            "/".to_string(),
            "Về trang tổng quan / Back to the overview".to_string(),
        )]
    } else {
        notice.links
    };
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <crate::PageHead />
                <title>"IOC Live"</title>
                <link rel="stylesheet" href="/pkg/ioc.css" />
            </head>
            <body>
                <main class="notice">
                    <h1>{notice.title_vi}</h1>
                    <p class="en" lang="en">{notice.title_en}</p>
                    {notice.secret.map(|secret| view! {
                        <p><code class="secret">{secret}</code></p>
                        <p>"Chỉ hiển thị lần này: hãy lưu lại ngay."</p>
                        <p lang="en">"Shown only now: store it safely."</p>
                    })}
                    {notice.paragraphs.into_iter().map(|(vi, en)| view! {
                        <p>{vi}</p>
                        <p class="en" lang="en">{en}</p>
                    }).collect_view()}
                    {(!notice.problems.is_empty()).then(|| view! {
                        <ul class="problems">
                            {notice.problems.into_iter().map(|p| view! {
                                <li>
                                    <strong>{p.place}</strong>" "<code>{p.field}</code>": "{p.vi}
                                    <br /><span lang="en">{p.en}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                    <p class="links">
                        {links.into_iter().map(|(href, label)| view! { <a href=href>{label}</a>" " }).collect_view()}
                    </p>
                </main>
            </body>
        </html>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_both_languages_shown() {
        let html = Notice::new("Lỗi <b>", "Error & \"quote\"")
            .paragraph("Đoạn <script>alert(1)</script>", "Paragraph")
            .problems(vec![NoticeProblem {
                place: "dòng 3 / line 3".into(),
                field: "value".into(),
                vi: "Giá trị <x>".into(),
                en: "Value".into(),
            }])
            .secret("iocd_abc")
            .link("/admin?tab=displays", "Quay lại / Back")
            .to_html();
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("Lỗi &lt;b&gt;"), "{html}");
        assert!(
            html.contains("Error &amp; \"quote\"")
                || html.contains("Error &amp; &quot;quote&quot;"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("dòng 3 / line 3") && html.contains("Giá trị &lt;x&gt;"));
        assert!(
            html.contains("<code class=\"secret\">iocd_abc</code>"),
            "{html}"
        );
        assert!(html.contains("href=\"/admin?tab=displays\""), "{html}");
    }
}
