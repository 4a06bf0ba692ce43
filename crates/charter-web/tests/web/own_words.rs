//! The register's own words pass its own checker: every page type is rendered, the entries' content
//! is taken out (what organisations wrote is marked `data-entry` in the templates; text areas hold
//! what someone typed; text quoted from the charter file is the charter body's), and the words
//! left must read at reading age 9 or under. Each page's `<main>`
//! is read on its own; the header and footer, the same on every page, are read once.
//!
//! To check a new page, add its address to `PAGES`. Run with
//! `cargo test -p charter-web --test web own_words -- --nocapture` to see every page's reading age;
//! add `OWN_WORDS_SHOW=/address` to see the words the test reads on the pages starting with it.

use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_core::plain_english::{analyse, count, scores};

use crate::harness::*;

/// The highest reading age the register's own words may have.
const MOST: u32 = 9;

/// Who asks for a page.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anyone,
    Editor,
    Moderator,
    SiteAdmin,
}

/// Every page type: a name for the report, its address and who asks for it. `{draft}`, `{kind}`,
/// `{opt-out}` and `{password}` are filled in with a draft, an identifier kind, an opt-out's
/// management link and a password link made for the test.
const PAGES: &[(&str, &str, Who)] = &[
    ("home", "/", Who::Anyone),
    ("projects list", "/projects", Who::Anyone),
    (
        "projects list, nothing found",
        "/projects?q=zzzzzz",
        Who::Anyone,
    ),
    ("project page", "/projects/LCR-0009", Who::Anyone),
    ("project history", "/projects/LCR-0009/history", Who::Anyone),
    (
        "project version",
        "/projects/LCR-0009/versions/1",
        Who::Anyone,
    ),
    ("history check", "/history-check", Who::Anyone),
    ("organisations", "/organisations", Who::Anyone),
    (
        "organisation",
        "/organisations/knowsley-council",
        Who::Anyone,
    ),
    ("charter", "/charter", Who::Anyone),
    ("charter check", "/compliance", Who::Anyone),
    ("dashboard", "/dashboard", Who::Anyone),
    (
        "organisation dashboard",
        "/organisations/knowsley-council/dashboard",
        Who::Anyone,
    ),
    (
        "dashboard, a day not yet come",
        "/dashboard?on=2999-01-01",
        Who::Anyone,
    ),
    (
        "dashboard, the charter body's view",
        "/dashboard",
        Who::Moderator,
    ),
    ("open data", "/open-data", Who::Anyone),
    ("accessibility", "/accessibility", Who::Anyone),
    ("privacy", "/privacy", Who::Anyone),
    ("cookies", "/cookies", Who::Anyone),
    ("plain English", "/plain-english", Who::Anyone),
    ("opt out", "/opt-out", Who::Anyone),
    ("opt-out figures", "/opt-out/figures", Who::Anyone),
    ("opt-out choices", "{opt-out}", Who::Anyone),
    ("sign in", "/sign-in", Who::Anyone),
    ("reset password", "/account/reset-password", Who::Anyone),
    ("set password", "{password}", Who::Anyone),
    ("page not found", "/no-such-page", Who::Anyone),
    ("project not found", "/projects/LCR-9999", Who::Anyone),
    ("manage", "/manage", Who::Editor),
    (
        "organisation tools",
        "/manage/organisations/knowsley-council",
        Who::Editor,
    ),
    (
        "new draft",
        "/manage/organisations/knowsley-council/drafts/new",
        Who::Editor,
    ),
    (
        "import",
        "/manage/organisations/knowsley-council/import",
        Who::Editor,
    ),
    ("draft task list", "{draft}", Who::Editor),
    ("draft section", "{draft}/sections/summary", Who::Editor),
    ("draft preview", "{draft}/preview", Who::Editor),
    ("review queue", "/manage/review", Who::Moderator),
    ("draft review", "{draft}/review", Who::Moderator),
    ("audit log", "/manage/audit", Who::SiteAdmin),
    ("late challenges", "/manage/overdue", Who::Moderator),
    ("search words", "/manage/search-words", Who::SiteAdmin),
    (
        "projects list, did you mean",
        "/projects?q=bux",
        Who::Anyone,
    ),
    (
        "identifier kinds",
        "/manage/identifier-kinds",
        Who::SiteAdmin,
    ),
    (
        "identifier kind",
        "/manage/identifier-kinds/{kind}",
        Who::SiteAdmin,
    ),
    ("not allowed", "/manage/identifier-kinds", Who::Editor),
    ("emails you get", "/account/notifications", Who::Editor),
    ("signatories", "/manage/organisations", Who::SiteAdmin),
    (
        "add a signatory",
        "/manage/organisations/new",
        Who::SiteAdmin,
    ),
    (
        "change a signatory",
        "/manage/organisations/knowsley-council/details",
        Who::SiteAdmin,
    ),
    (
        "retire a signatory",
        "/manage/organisations/knowsley-council/retire",
        Who::SiteAdmin,
    ),
    (
        "challenge a decision",
        "/projects/LCR-0001/challenge",
        Who::Anyone,
    ),
    ("ask a question", "/projects/LCR-0001/question", Who::Anyone),
    ("a resident's private page", "{challenge}", Who::Anyone),
    ("challenges inbox", "/manage/challenges", Who::Editor),
    ("a challenge in the inbox", "{challenge-inbox}", Who::Editor),
    ("breach log", "/manage/breaches", Who::Editor),
    ("breaches in the region", "/manage/breaches", Who::Moderator),
    ("log a breach", "/manage/breaches/new", Who::Editor),
    ("breach", "{breach}", Who::Editor),
    ("changes in the law", "/manage/law-changes", Who::Moderator),
    (
        "draft section, changes in the law",
        "{draft}/sections/law-reviews",
        Who::Editor,
    ),
];

/// Pages whose words are still being rewritten, with the reading age they may not go above. A page
/// leaves this list once it reads at 9 or under: the test fails until it is taken off.
const STILL_TO_REWRITE: &[(&str, u32)] = &[];

/// Elements whose start and end make a new block of text (a heading, a list item, a cell…).
const BLOCKS: &[&str] = &[
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table",
    "caption", "label", "legend", "fieldset", "dt", "dd", "dl", "summary", "details", "button",
    "option", "select", "section", "header", "footer", "nav", "main", "form", "br", "hr", "title",
];

/// Elements that hold no words to read as prose: pictures, the head, and code (field names, paths,
/// commands), which people copy rather than read.
const SKIPPED: &[&str] = &["svg", "template", "head", "code", "pre"];

/// Elements whose content is raw text (code, or what someone typed), skipped to their end tag.
const RAW: &[&str] = &["script", "style", "textarea"];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn decode(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// Where a tag that starts at `from` (just after `<`) ends: the `>` outside quotes.
fn tag_end(html: &str, from: usize) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in html[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return from + i,
            _ => {}
        }
    }
    html.len()
}

/// The page's own words: its text without scripts, text areas and anything marked `data-entry`,
/// each block (heading, paragraph, list item, cell, label…) on its own, separated by blank lines.
pub fn own_text(html: &str) -> String {
    let mut out = String::new();
    let mut skipping = 0usize;
    let mut at = 0;
    while let Some(lt) = html[at..].find('<').map(|i| at + i) {
        if skipping == 0 {
            out.push_str(&decode(&html[at..lt]));
        }
        if html[lt..].starts_with("<!--") {
            at = html[lt..].find("-->").map_or(html.len(), |i| lt + i + 3);
            continue;
        }
        let end = tag_end(html, lt + 1);
        let tag = &html[lt + 1..end];
        at = (end + 1).min(html.len());
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let void = VOID.contains(&name.as_str()) || tag.ends_with('/');
        if skipping > 0 {
            if closing {
                skipping -= 1;
            } else if !void {
                skipping += 1;
            }
            continue;
        }
        if !closing && RAW.contains(&name.as_str()) {
            // Raw text: nothing inside is a tag, up to the element's end tag.
            let close = format!("</{name}");
            at = html[at..].find(&close).map_or(html.len(), |i| at + i);
            continue;
        }
        if !closing && !void && (SKIPPED.contains(&name.as_str()) || tag.contains("data-entry")) {
            skipping = 1;
            continue;
        }
        if BLOCKS.contains(&name.as_str()) {
            out.push_str("\n\n");
        }
    }
    if skipping == 0 {
        out.push_str(&decode(&html[at..]));
    }
    out.split("\n\n")
        .map(|block| {
            block
                .split_whitespace()
                .filter(|w| !not_a_word(w))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|block| block.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Email addresses, hashes, paths and file names are things people copy, not words they read.
fn not_a_word(token: &str) -> bool {
    let hex = token.chars().filter(char::is_ascii_hexdigit).count();
    let bare = token.trim_end_matches([':', ',', '.', ')', ';']);
    let file = [".csv", ".json", ".txt", ".html"]
        .iter()
        .any(|ext| bare.ends_with(ext));
    token.contains('@')
        || (token.contains('/') && token.len() > 1)
        || file
        || (hex >= 16 && token.chars().any(|c| c.is_ascii_digit()))
}

/// Takes out what is quoted from the charter file (its introduction, each principle's name,
/// statement and meaning): the charter body's words, shown as written, like an entry's.
fn without_charter(text: &str) -> String {
    let c = charter();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut quoted = vec![flat(&c.introduction)];
    for p in &c.principles {
        quoted.push(flat(&p.statement));
        quoted.push(flat(&p.meaning));
    }
    let mut names: Vec<&str> = c.principles.iter().map(|p| p.name.as_str()).collect();
    names.push(&c.name);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    text.split("\n\n")
        .filter(|block| {
            let bare = block.trim_start_matches(['-', '*', '•', ' ']);
            bare.split_whitespace().count() < 3 || !quoted.iter().any(|q| q.contains(bare))
        })
        .map(|block| {
            let mut block = block.to_string();
            for name in &names {
                block = block.replace(name, "");
            }
            block
        })
        .filter(|block| block.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The blocks that read hardest (textstat's Flesch–Kincaid grade), for the failure message.
fn hardest_blocks(text: &str) -> Vec<String> {
    let mut blocks: Vec<(f64, &str)> = text
        .split("\n\n")
        .filter(|b| b.split_whitespace().count() >= 6)
        .filter_map(|b| scores(&count(b)).flesch_kincaid_grade.map(|g| (g + 5.0, b)))
        .collect();
    blocks.sort_by(|a, b| b.0.total_cmp(&a.0));
    blocks
        .into_iter()
        .take(5)
        .map(|(age, b)| format!("    ({age:.0}) {b}"))
        .collect()
}

/// Makes what the addresses with placeholders need, and fills them in.
async fn addresses(
    app: &TestApp,
    editor: &Person,
    admin: &Person,
) -> Vec<(&'static str, String, Who)> {
    // A draft: a change to the complete entry, so every section has answers.
    let r = app
        .post_as(editor, "/manage/projects/LCR-0009/edit", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let draft = r.location();
    // An opt-out, for its management page.
    let r = app
        .post_form(
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=943+476+5919",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let opt_out = r.location();
    // A password link.
    let uid = app
        .user(
            "new@knowsley.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
    let token = "cd".repeat(24);
    app.store
        .link_create(
            &charter_app::secrets::token_hash(&token),
            uid,
            "password",
            &ts("2026-01-01T00:00:00Z"),
            &ts("2999-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    // An identifier kind, for its page.
    let r = app
        .post_as(
            admin,
            "/manage/identifier-kinds",
            &[
                ("label", "Tenancy reference"),
                ("name", "tenancy-ref"),
                ("hint", "It is on your tenancy agreement."),
                ("charset", "digits"),
                ("min_len", "8"),
                ("max_len", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kind = "tenancy-ref";
    // A challenge, for the resident's private page and the organisation's view of it.
    let r = app
        .post_form(
            "/projects/LCR-0001/challenge",
            "about=Permit&details=Wrong&wanted=Look+again&contact_by=email&email=sam%40example.com",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let challenge = r.location();
    let reference = app
        .store
        .challenges(&charter_store::challenges::ChallengeFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .items[0]
        .reference();
    // A breach, for its page.
    let r = app
        .post_as(
            editor,
            "/manage/breaches",
            &[
                ("title", "Letters sent to the wrong homes"),
                ("aware_day", "2"),
                ("aware_month", "6"),
                ("aware_year", "2025"),
                ("aware_time", "9:00"),
                ("what_happened", "A mail merge mixed up names."),
                ("cyber", "no"),
                ("data_kinds", "Names"),
                ("people_kinds", "Tenants"),
                ("consequences", "Not known yet"),
                ("measures", "We asked for them back"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let breach = r.location();
    PAGES
        .iter()
        .map(|&(name, address, who)| {
            let address = address
                .replace("{draft}", &draft)
                .replace("{opt-out}", &opt_out)
                .replace("{password}", &format!("/account/set-password/{token}"))
                .replace("{kind}", kind)
                .replace("{challenge}", &challenge)
                .replace(
                    "{challenge-inbox}",
                    &format!("/manage/challenges/{reference}"),
                )
                .replace("{breach}", &breach);
            (name, address, who)
        })
        .collect()
}

#[tokio::test]
async fn every_page_s_own_words_read_at_reading_age_9_or_under() {
    let app = TestApp::init().with_optout().on_sqlite().await;
    let editor = app
        .signed_in("editor", Role::OrgAdmin, Some("knowsley-council"))
        .await;
    let moderator = app.signed_in("moderator", Role::Moderator, None).await;
    let admin = app.signed_in("admin", Role::SiteAdmin, None).await;
    let mut failures = Vec::new();
    // The header and footer are the same on every page: they are read once, from the first page.
    let mut chrome: Option<String> = None;
    for (name, address, who) in addresses(&app, &editor, &admin).await {
        let reply = match who {
            Who::Anyone => app.get(&address).await,
            Who::Editor => app.get_as(&editor, &address).await,
            Who::Moderator => app.get_as(&moderator, &address).await,
            Who::SiteAdmin => app.get_as(&admin, &address).await,
        };
        assert!(
            reply.content_type().starts_with("text/html"),
            "{name} ({address}): {} {}",
            reply.status,
            reply.content_type()
        );
        let (main, around) = split_main(&reply.body);
        if chrome.is_none() {
            chrome = Some(own_text(&around));
        }
        let text = without_charter(&own_text(main));
        if std::env::var("OWN_WORDS_SHOW").is_ok_and(|p| address.starts_with(&p)) {
            println!("---- {name} ({address})\n{text}\n----");
        }
        let a = analyse(&text);
        let age = a.reading_age.map(|r| r.years);
        println!(
            "{name} ({address}): reading age {}, {} words",
            age.map_or("–".to_string(), |y| y.to_string()),
            a.counts.words
        );
        let allowed = STILL_TO_REWRITE
            .iter()
            .find(|(page, _)| *page == name)
            .map(|&(_, most)| most);
        if let Some(most) = allowed {
            if age.is_some_and(|y| y <= MOST) {
                failures.push(format!(
                    "{name} ({address}) now reads at {MOST} or under: take it off STILL_TO_REWRITE."
                ));
                continue;
            }
            if age.is_some_and(|y| y <= most) {
                continue;
            }
        }
        if age.is_some_and(|y| y > MOST) {
            failures.push(format!(
                "{name} ({address}) has a reading age of {}; aim for {MOST} or under.\n  {}\n  Hardest parts:\n{}",
                age.unwrap_or_default(),
                a.suggestions.join("\n  "),
                hardest_blocks(&text).join("\n")
            ));
        }
    }
    let chrome = chrome.unwrap_or_default();
    let a = analyse(&chrome);
    let age = a.reading_age.map(|r| r.years);
    println!(
        "header and footer: reading age {age:?}, {} words",
        a.counts.words
    );
    if age.is_some_and(|y| y > MOST) {
        failures.push(format!(
            "The header and footer (base.html) have a reading age of {}; aim for {MOST} or under.\n  {}\n  Hardest parts:\n{}",
            age.unwrap_or_default(),
            a.suggestions.join("\n  "),
            hardest_blocks(&chrome).join("\n")
        ));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// The page's `<main>` (its own content) and the rest (the header and footer every page shares).
fn split_main(html: &str) -> (&str, String) {
    let start = html.find("<main").unwrap_or(0);
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |i| start + i + "</main>".len());
    (
        &html[start..end],
        format!("{}{}", &html[..start], &html[end..]),
    )
}

#[test]
fn own_text_leaves_out_entries_scripts_and_typed_text() {
    let html = r#"<!DOCTYPE html><html><head><title>T</title></head><body>
        <h1>Find a project</h1><p>We list <a href="/x">every</a> project<code>.json</code>.</p>
        <div data-entry class="x"><p>Written by a council: <strong>hard</strong> words.</p><br></div>
        <textarea name="s">Typed text</textarea><script>var x = "<p>";</script>
        <p title="a > b">Ask us &amp; we will help at help@example.org or /help, see help.txt.</p><!-- a note --></body></html>"#;
    assert_eq!(
        own_text(html),
        "Find a project\n\nWe list every project.\n\nAsk us & we will help at or see"
    );
}
