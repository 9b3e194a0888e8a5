//! Rich text (theory, questions, descriptions) is HTML from the editor, sanitised on the
//! server with an allow-list before it is stored: formatting, lists, links and images only.

/// Keeps formatting, lists, headings, links (http/https/mailto, opened safely) and images;
/// drops scripts, styles, event handlers and every other attribute.
#[cfg(feature = "ssr")]
pub fn sanitize(html: &str) -> String {
    use std::collections::HashSet;
    let tags: HashSet<&str> = [
        "p",
        "br",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "code",
        "pre",
        "a",
        "img",
        "div",
        "span",
        "hr",
        "sub",
        "sup",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .add_tag_attributes("a", ["href", "target"])
        .add_tag_attributes("img", ["src", "alt"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .clean(html)
        .to_string()
}

/// Whether the HTML shows nothing but whitespace (no text and no image).
pub fn is_blank(html: &str) -> bool {
    if html.contains("<img") {
        return false;
    }
    let mut in_tag = false;
    let mut text = String::new();
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ").trim().is_empty()
}

/// Plain text of the HTML (for search and CSV export).
pub fn plain_text(html: &str) -> String {
    let mut in_tag = false;
    let mut out = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed_formatting_kept() {
        let dirty = r#"<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src="/uploads/a/b.png" onerror="x()">"#;
        let clean = sanitize(dirty);
        assert!(clean.contains("<b>there</b>"));
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("onerror"));
        assert!(!clean.contains("javascript"));
        assert!(clean.contains(r#"src="/uploads/a/b.png""#));
    }

    #[test]
    fn blank_html_is_detected() {
        assert!(is_blank("<p> &nbsp; </p><br>"));
        assert!(!is_blank("<p>x</p>"));
        assert!(!is_blank(r#"<img src="/a.png">"#));
        assert_eq!(plain_text("<p>Hello&nbsp;<b>world</b></p>"), "Hello world");
    }
}
