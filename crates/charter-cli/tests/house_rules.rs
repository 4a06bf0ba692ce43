//! The rules of the house, checked: each crate stays in its room (docs/code-tour.md).
//!
//! From `cargo metadata`: the web crate reaches the database only through the `Store` traits,
//! the core is pure, the store traits carry no driver, the use cases know nothing of HTTP or SQL.
//! From the command line's source: it uses the web crate only to start the server.
//!
//! It lives with the command line because `charter-cli` is the one crate that depends on all the
//! others, and the last rule reads its source; the test itself links none of them.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One rule: `krate` must not depend on any of `forbidden` (a name matches itself and its family:
/// `sqlx` also matches `sqlx-core`, `charter` every `charter-…` crate).
struct Rule {
    krate: &'static str,
    forbidden: &'static [&'static str],
    /// Through other crates too, or only what its Cargo.toml names.
    transitive: bool,
    why: &'static str,
    instead: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        krate: "charter-web",
        forbidden: &["sqlx", "charter-store-sqlite", "charter-store-postgres"],
        transitive: true,
        why: "the web crate reaches the database only through the Store traits",
        instead: "put SQL in charter-store-sqlite and charter-store-postgres behind a Store \
                  method, and the use case in charter-app; charter-cli picks the backend",
    },
    Rule {
        krate: "charter-core",
        forbidden: &[
            "charter",
            "tokio",
            "mio",
            "async-std",
            "smol",
            "futures",
            "sqlx",
            "rusqlite",
            "postgres",
            "hyper",
            "axum",
            "tower",
            "reqwest",
            "ureq",
            "lettre",
        ],
        transitive: true,
        why: "the core holds the rules and is pure: no IO, no async, no other charter crate",
        instead: "keep the rule in charter-core as a plain function, and do the IO around it in \
                  a use case in charter-app (or SQL in a store crate)",
    },
    Rule {
        krate: "charter-store",
        forbidden: &[
            "sqlx",
            "rusqlite",
            "postgres",
            "charter-store-sqlite",
            "charter-store-postgres",
        ],
        transitive: true,
        why: "charter-store is the interface every backend implements; it holds no database driver",
        instead: "put driver code and SQL in charter-store-sqlite or charter-store-postgres",
    },
    Rule {
        krate: "charter-app",
        forbidden: &[
            "axum",
            "askama",
            "hyper",
            "tower",
            "charter-web",
            "sqlx",
            "charter-store-sqlite",
            "charter-store-postgres",
        ],
        transitive: true,
        why: "use cases know nothing of HTTP, pages or SQL, so pages, the API and the command line \
              can all call them",
        instead: "keep requests and templates in charter-web, SQL in the store crates, and give \
                  the use case typed values in and out",
    },
    Rule {
        krate: "charter-cli",
        forbidden: &["axum", "askama", "hyper", "tower"],
        transitive: false,
        why: "the command line serves through charter-web and builds no pages or routes of its own",
        instead: "put routes and pages in charter-web, and what the command does in charter-app",
    },
];

/// What `charter-cli` may name in `charter-web`: starting the server and what it is started with.
const CLI_MAY_USE_FROM_WEB: &[&str] = &["AppState", "serve", "server", "mail"];

#[test]
fn crates_depend_only_on_what_their_layer_may() {
    let problems = check(&workspace_metadata(), RULES);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_command_line_uses_the_web_crate_only_to_start_the_server() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_rust_files(&src, &mut files);
    assert!(!files.is_empty(), "no sources under {}", src.display());
    let problems = check_web_uses(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `cargo metadata` for the workspace, for this machine's platform, without the network.
fn workspace_metadata() -> Value {
    let cargo = env!("CARGO");
    let version = Command::new(cargo).arg("-vV").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("cargo -vV names the host");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", host, "--manifest-path"])
        .arg(manifest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every rule broken, one message each: which crate, which rule, through what, and where the code
/// should go instead.
fn check(metadata: &Value, rules: &[Rule]) -> Vec<String> {
    let names = package_names(metadata);
    let mut problems = Vec::new();
    for rule in rules {
        let Some(id) = names
            .iter()
            .find(|(_, name)| name.as_str() == rule.krate)
            .map(|(id, _)| id.clone())
        else {
            problems.push(format!(
                "{} is not in the workspace any more: update this test",
                rule.krate
            ));
            continue;
        };
        for (dep, path) in normal_dependencies(metadata, &names, &id, rule.transitive) {
            if let Some(bad) = rule.forbidden.iter().find(|f| same_family(f, &dep)) {
                problems.push(format!(
                    "{} depends on {dep} (via {}), which it must not (no {bad}): {}.\n  Instead: {}.",
                    rule.krate,
                    path.join(" → "),
                    rule.why,
                    rule.instead
                ));
            }
        }
    }
    problems
}

/// Package ids to names.
fn package_names(metadata: &Value) -> BTreeMap<String, String> {
    metadata["packages"]
        .as_array()
        .expect("metadata lists packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The crates `id` is built with (normal dependencies: not tests, not build scripts), directly
/// or, if `transitive`, through others; each with the path that brings it in.
fn normal_dependencies(
    metadata: &Value,
    names: &BTreeMap<String, String>,
    id: &str,
    transitive: bool,
) -> BTreeMap<String, Vec<String>> {
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("metadata has the resolved graph")
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue = VecDeque::from([(id.to_owned(), vec![names[id].clone()])]);
    while let Some((at, path)) = queue.pop_front() {
        let Some(node) = nodes.get(at.as_str()) else {
            continue;
        };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            let pkg = dep["pkg"].as_str().unwrap();
            let name = names[pkg].clone();
            if !normal || found.contains_key(&name) {
                continue;
            }
            let mut to = path.clone();
            to.push(name.clone());
            found.insert(name, to.clone());
            if transitive {
                queue.push_back((pkg.to_owned(), to));
            }
        }
    }
    found
}

/// `sqlx` matches `sqlx`, `sqlx-core` and `sqlx_macros`; `charter` every `charter-…` crate.
fn same_family(forbidden: &str, name: &str) -> bool {
    name == forbidden
        || name
            .strip_prefix(forbidden)
            .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('_'))
}

fn read_rust_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
}

/// Every use of `charter_web` in the command line's source that is not on the short list, with
/// its file and line.
fn check_web_uses(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in files {
        // Comment lines are blanked, so line numbers stay right.
        let code: Vec<&str> = text
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("//") {
                    ""
                } else {
                    l
                }
            })
            .collect();
        let code = code.join("\n");
        for (at, item) in web_items(&code) {
            if CLI_MAY_USE_FROM_WEB.contains(&item.as_str()) {
                continue;
            }
            let named = if item.is_empty() {
                "charter_web as a whole".to_owned()
            } else {
                format!("charter_web::{item}")
            };
            problems.push(format!(
                "{}:{}: charter-cli uses {named}. The command line may use only \
                 charter_web::{{{}}}, to start the server: anything else it needs from the web \
                 crate is a use case, which belongs in charter-app, where the web crate and the \
                 command line both call it.",
                path.display(),
                code[..at].matches('\n').count() + 1,
                CLI_MAY_USE_FROM_WEB.join(", ")
            ));
        }
    }
    problems
}

/// The first segment of each path the code names in `charter_web`, with where it is:
/// `charter_web::server::Limits` gives `server`; `use charter_web::{AppState, optout::Keys}`
/// gives `AppState` and `optout`; a bare `charter_web` (an alias) gives an empty name.
fn web_items(code: &str) -> Vec<(usize, String)> {
    const CRATE: &str = "charter_web";
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let leading = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| ident(*c) || *c == '*')
            .collect()
    };
    let mut items = Vec::new();
    for (at, _) in code.match_indices(CRATE) {
        let before = code[..at].chars().next_back();
        let after = &code[at + CRATE.len()..];
        if before.is_some_and(ident) || after.starts_with(ident) {
            continue; // part of a longer name
        }
        let Some(path) = after.strip_prefix("::") else {
            items.push((at, String::new()));
            continue;
        };
        let Some(group) = path.strip_prefix('{') else {
            items.push((at, leading(path)));
            continue;
        };
        // `{A, b::{C, D}, e}`: the first segment of each part at the top level.
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                '}' | ',' if depth == 0 => {
                    let segment = leading(&group[start..i]);
                    if !segment.is_empty() {
                        items.push((at, segment));
                    }
                    if c == '}' {
                        break;
                    }
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    items
}

/// The checks themselves can fail: each rule on made-up metadata that breaks it.
mod each_rule_can_fail {
    use super::*;

    /// Metadata for packages and their normal (and dev-) dependencies by name.
    fn made_up(packages: &[(&str, &[&str], &[&str])]) -> Value {
        let id = |name: &str| format!("path+file:///made-up/{name}#0.1.0");
        let mut all: Vec<&str> = packages.iter().map(|(n, _, _)| *n).collect();
        for (_, normal, dev) in packages {
            all.extend(normal.iter().chain(dev.iter()));
        }
        all.sort();
        all.dedup();
        let nodes: Vec<Value> =
            all.iter()
                .map(|name| {
                    let (normal, dev) = packages
                        .iter()
                        .find(|(n, _, _)| n == name)
                        .map(|(_, normal, dev)| (*normal, *dev))
                        .unwrap_or((&[], &[]));
                    let deps: Vec<Value> = normal
                        .iter()
                        .map(|d| serde_json::json!({"pkg": id(d), "dep_kinds": [{"kind": null}]}))
                        .chain(dev.iter().map(
                            |d| serde_json::json!({"pkg": id(d), "dep_kinds": [{"kind": "dev"}]}),
                        ))
                        .collect();
                    serde_json::json!({"id": id(name), "deps": deps})
                })
                .collect();
        let packages: Vec<Value> = all
            .iter()
            .map(|name| serde_json::json!({"id": id(name), "name": name}))
            .collect();
        serde_json::json!({"packages": packages, "resolve": {"nodes": nodes}})
    }

    #[test]
    fn every_rule_reports_a_crate_that_breaks_it() {
        for rule in RULES {
            for bad in rule.forbidden {
                // A family name stands for its members: `charter` for `charter-something`.
                let dep = if *bad == "charter" {
                    "charter-something".to_owned()
                } else {
                    format!("{bad}-core")
                };
                // Through a crate in between, for the rules that look that far.
                let metadata = if rule.transitive {
                    made_up(&[
                        (rule.krate, &["middle"], &[]),
                        ("middle", &[dep.as_str()], &[]),
                    ])
                } else {
                    made_up(&[(rule.krate, &[dep.as_str()], &[])])
                };
                let problems = check(&metadata, std::slice::from_ref(rule));
                assert_eq!(problems.len(), 1, "{} on {dep}: {problems:?}", rule.krate);
                let p = &problems[0];
                assert!(
                    p.starts_with(&format!("{} depends on {dep}", rule.krate)),
                    "{p}"
                );
                assert!(p.contains(rule.why) && p.contains(rule.instead), "{p}");
            }
        }
    }

    #[test]
    fn tests_may_use_anything_and_lookalike_names_are_not_matched() {
        let metadata = made_up(&[
            (
                "charter-web",
                &["sqlxish", "tokio"],
                &["charter-store-sqlite", "sqlx"],
            ),
            ("charter-core", &["serde", "timely"], &["tokio"]),
        ]);
        assert_eq!(check(&metadata, RULES[..2].as_ref()), Vec::<String>::new());
    }

    #[test]
    fn a_rule_only_for_direct_dependencies_looks_no_further() {
        let cli = RULES.iter().find(|r| r.krate == "charter-cli").unwrap();
        let metadata = made_up(&[
            ("charter-cli", &["charter-web"], &[]),
            ("charter-web", &["axum"], &[]),
        ]);
        assert!(check(&metadata, std::slice::from_ref(cli)).is_empty());
    }

    #[test]
    fn a_crate_missing_from_the_workspace_is_reported() {
        let problems = check(&made_up(&[("other", &[], &[])]), &RULES[..1]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("charter-web is not in the workspace"));
    }

    #[test]
    fn the_command_line_may_name_only_the_server_parts_of_the_web_crate() {
        let file = |text: &str| vec![(PathBuf::from("src/x.rs"), text.to_owned())];
        let allowed = "use charter_web::{\n    AppState,\n    server::Limits,\n};\n\
                       let m = charter_web::mail::Mailer::outbox(p);\n\
                       charter_web::serve(listener, state, stop).await?;\n\
                       // charter_web::optout in a comment is fine\n\
                       let my_charter_web_thing = 1;";
        assert_eq!(check_web_uses(&file(allowed)), Vec::<String>::new());
        for (text, item) in [
            (
                "use charter_web::optout::{Keys, build};",
                "charter_web::optout",
            ),
            (
                "use charter_web::{AppState, export::{Exporter, Format}};",
                "charter_web::export",
            ),
            (
                "use charter_web::{\n    AppState,\n    account::LINK_DAYS,\n};",
                "charter_web::account",
            ),
            (
                "charter_web::jobs::spawn_housekeeping(s);",
                "charter_web::jobs",
            ),
            ("use charter_web as web;", "charter_web as a whole"),
            ("use charter_web::*;", "charter_web::*"),
        ] {
            let problems = check_web_uses(&file(text));
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert!(
                problems[0].starts_with(&format!("src/x.rs:1: charter-cli uses {item}.")),
                "{}",
                problems[0]
            );
            assert!(problems[0].contains("charter_web::{AppState, serve, server, mail}"));
            assert!(problems[0].contains("charter-app"));
        }
        // The line is the line in the file, comments counted.
        let later = check_web_uses(&file("// one\nfn two() {}\nuse charter_web::optout;"));
        assert!(later[0].starts_with("src/x.rs:3: "), "{later:?}");
    }
}
