//! The layer rule of `ARCHITECTURE.md`, checked on the source: every `crate::<module>` path in
//! a module's code (comments excluded) must point to a module that layer may use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and the modules it may use (besides itself and `error`).
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("linalg", &[]),
    ("rng", &[]),
    ("reference", &[]),
    ("optim", &["linalg"]),
    ("problem", &["rng"]),
    ("nn", &["rng", "linalg"]),
    ("diagnostics", &["linalg", "rng", "problem"]),
    ("run", &["optim", "problem", "rng"]),
    ("io", &["run", "optim", "problem"]),
    ("dist", &["problem"]),
    (
        "pinn",
        &[
            "dist",
            "nn",
            "problem",
            "reference",
            "rng",
            "linalg",
            "diagnostics",
            "optim",
            "run",
        ],
    ),
    (
        "portfolio",
        &["optim", "problem", "run", "rng", "linalg", "diagnostics"],
    ),
    (
        "benchmarks",
        &[
            "optim",
            "problem",
            "run",
            "io",
            "nn",
            "pinn",
            "portfolio",
            "diagnostics",
            "reference",
            "rng",
            "linalg",
            "dist",
        ],
    ),
];

/// The `crate::<name>` targets of one file's code, with `crate::Error` and `crate::Result`
/// (re-exports of `error`) counted as `error` and any other root re-export flagged.
fn targets(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let module = match name.as_str() {
                "Error" | "Result" => "error".to_string(),
                n if n.starts_with(char::is_uppercase) => format!("root re-export {n}"),
                n => n.to_string(),
            };
            out.insert(module);
            rest = &after[name.len()..];
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `module -> (target -> files)` for every file under `src/` except `lib.rs`.
fn graph() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        if rel == Path::new("lib.rs") {
            continue;
        }
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let source = std::fs::read_to_string(&file).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        for t in targets(&source) {
            if t != module {
                entry
                    .entry(t)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }
    graph
}

#[test]
fn every_crate_path_points_down_the_layers() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let graph = graph();
    let mut violations = Vec::new();
    for (module, uses) in &graph {
        let Some(ok) = allowed.get(module.as_str()) else {
            violations.push(format!("module {module} is not in the layer table"));
            continue;
        };
        for (target, files) in uses {
            if target != "error" && !ok.contains(&target.as_str()) {
                violations.push(format!("{module} -> {target} in {files:?}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer rule broken (see ARCHITECTURE.md):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_layer_table_has_no_cycles() {
    // A depth-first search over the allowed edges: the table itself must be a DAG, so that
    // the check above rules out every cycle between modules.
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    fn visit<'a>(
        m: &'a str,
        allowed: &BTreeMap<&'a str, &'a [&'a str]>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(m) {
            return;
        }
        assert!(!stack.contains(&m), "cycle through {stack:?} -> {m}");
        stack.push(m);
        for &n in allowed.get(m).copied().unwrap_or(&[]) {
            visit(n, allowed, stack, done);
        }
        stack.pop();
        done.insert(m);
    }
    let mut done = BTreeSet::new();
    for &m in allowed.keys() {
        visit(m, &allowed, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_parser_sees_code_and_skips_comments() {
    let t = targets(
        "use crate::run::Runner;\n/// see [`crate::io::RunFile`]\nlet x = crate::Error::X; // crate::pinn\nfn f() -> crate::Optimizer {}",
    );
    let want: BTreeSet<String> = ["run", "error", "root re-export Optimizer"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(t, want);
}

#[test]
fn core_modules_never_use_the_benchmarks() {
    for (module, uses) in graph() {
        assert!(
            module == "benchmarks" || !uses.contains_key("benchmarks"),
            "{module} uses benchmarks: {:?}",
            uses["benchmarks"]
        );
    }
}
