//! The layout rules of docs/architecture.md, checked on the source tree:
//! - a folder imports only folders below it in the data flow (files → io → model … → app/cli);
//! - no import cycle between the files (or sub-folders) of one folder;
//! - no source file longer than 1,000 lines outside its `#[cfg(test)]` modules.
//!
//! The check reads `crate::…` and `super::…` paths (in `use` lines and in code, with `{…}`
//! groups expanded) outside comments and test modules. Test-only imports do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folders of `src/` from the bottom of the data flow to the top: each may import only the
/// ones before it. `app` (the GUI) and the binary's `cli` sit on top and may import everything.
const LAYERS: &[&str] = &[
    "error",
    "job",
    "crs",
    "model",
    "io",
    "project",
    "standards",
    "network",
    "access",
    "tenones",
    "render",
    "report",
    "demo",
    "batch",
    "app",
    "cli",
];

const MAX_NON_TEST_LINES: usize = 1_000;

/// Files allowed over the limit (none since issue 13's splits). Keep it empty: a file listed
/// here that is no longer long fails the test too, so the list can only shrink.
const KNOWN_LONG: &[&str] = &[];

/// Cycles between sibling files allowed (none since issue 13), as the test prints them. Same
/// rule: the list only shrinks.
const KNOWN_CYCLES: &[&str] = &[];

/// `found` must equal `known`: nothing new, and nothing fixed but still listed.
fn ratchet(what: &str, found: &[String], known: &[&str]) {
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !known.contains(&f.as_str()))
        .collect();
    let fixed: Vec<&&str> = known
        .iter()
        .filter(|k| !found.iter().any(|f| f == *k))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{what}\nnew (fix them): {new:#?}\nno longer found (remove them from the list in tests/architecture.rs): {fixed:#?}"
    );
}

struct SourceFile {
    /// Included only under `#[cfg(test)]` (a `mod tests;` file): not counted.
    test_only: bool,
    /// Module path inside the crate, e.g. `["io", "shapefile", "dbf"]`; empty for lib.rs/main.rs.
    module: Vec<String>,
    path: PathBuf,
    /// The file's code without comments and without `#[cfg(test)]` items.
    code: String,
    non_test_lines: usize,
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read src/")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// Removes `//` comments (outside string literals, roughly: a `//` inside a string on the same
/// line is rare in this code base and only hides what follows it on that line) and every item
/// marked `#[cfg(test)]`: a `mod x;` line, or a `mod x { … }` block up to its closing brace.
fn strip(text: &str) -> (String, usize) {
    strip_with_test_mods(text).0
}

/// [`strip`], plus the names of the modules declared `#[cfg(test)] mod name;` (files that exist
/// only for tests).
fn strip_with_test_mods(text: &str) -> ((String, usize), Vec<String>) {
    let mut test_mods = Vec::new();
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    let mut non_test = 0;
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            // Skip the attributed item: through the end of its brace block or its `;`.
            let mut depth: i64 = 0;
            let mut opened = false;
            for item in lines.by_ref() {
                let t = item.trim();
                if let Some(name) = t
                    .trim_start_matches("pub(crate) ")
                    .trim_start_matches("pub ")
                    .strip_prefix("mod ")
                    .and_then(|r| r.strip_suffix(';'))
                {
                    test_mods.push(name.trim().to_string());
                }
                for ch in item.chars() {
                    match ch {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                let t = item.trim_end();
                if (opened && depth <= 0) || (!opened && t.ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        non_test += 1;
        let without_comment = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        code.push_str(without_comment);
        code.push('\n');
    }
    ((code, non_test), test_mods)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads a path after `prefix::` at `rest`: `a::b::C`, or a `{…}` group, possibly nested.
fn expand(prefix: &[String], rest: &str, out: &mut Vec<Vec<String>>) {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        // Split the group's top level at commas.
        let mut depth = 0;
        let mut start = 0;
        let bytes: Vec<char> = group.chars().collect();
        let mut items = Vec::new();
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(bytes[start..i].iter().collect::<String>());
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(bytes[start..i].iter().collect::<String>());
                    start = i + 1;
                }
                _ => {}
            }
        }
        for item in items {
            expand(prefix, &item, out);
        }
        return;
    }
    let mut path = prefix.to_vec();
    let mut s = rest;
    loop {
        let ident: String = s.chars().take_while(|&c| is_ident(c)).collect();
        if ident.is_empty() {
            break;
        }
        s = &s[ident.len()..];
        path.push(ident);
        match s.strip_prefix("::") {
            Some(next) if next.trim_start().starts_with('{') => {
                expand(&path, next, out);
                return;
            }
            Some(next) => s = next,
            None => break,
        }
    }
    out.push(path);
}

/// Every crate path the code names, made absolute (`super::` resolved against `module`).
fn referenced_paths(module: &[String], is_mod_rs: bool, code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("::") {
        let before: String = code[..i]
            .chars()
            .rev()
            .take_while(|&c| is_ident(c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let start = i - before.len();
        let preceded_by_path = code[..start].ends_with("::");
        if preceded_by_path {
            continue;
        }
        let base: Vec<String> = match before.as_str() {
            "crate" => Vec::new(),
            "super" => {
                // `super` of a/b.rs (module a::b) is a; of a/mod.rs (module a) it is the crate.
                let mut m = module.to_vec();
                if !is_mod_rs || !m.is_empty() {
                    m.pop();
                }
                m
            }
            _ => continue,
        };
        let mut base = base;
        let mut rest = &code[i + 2..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        expand(&base, rest, &mut out);
    }
    out
}

fn sources() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut out: Vec<SourceFile> = Vec::new();
    let mut test_modules: BTreeSet<Vec<String>> = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let ((code, non_test_lines), test_mods) = strip_with_test_mods(&text);
        let module = module_of(&src, &path);
        let is_dir_module = path
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs" || n == "main.rs");
        for m in test_mods {
            // `mod x;` in a/mod.rs is a::x; in a/b.rs it is a::b::x.
            let mut p = module.clone();
            if !is_dir_module && p.is_empty() {
                continue;
            }
            p.push(m);
            test_modules.insert(p);
        }
        out.push(SourceFile {
            test_only: false,
            module,
            path,
            code,
            non_test_lines,
        });
    }
    for f in &mut out {
        f.test_only = (1..=f.module.len()).any(|k| test_modules.contains(&f.module[..k]));
    }
    out.retain(|f| !f.test_only);
    out
}

/// Module → the modules it names (the longest known module prefix of each path).
fn edges(files: &[SourceFile]) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in files {
        let is_mod_rs = f.path.file_name().is_some_and(|n| n == "mod.rs");
        for path in referenced_paths(&f.module, is_mod_rs, &f.code) {
            let target = (0..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|p| modules.contains(p));
            if let Some(t) = target
                && t != f.module
            {
                edges.entry(f.module.clone()).or_default().insert(t);
            }
        }
    }
    edges
}

#[test]
fn folders_import_only_folders_below_them() {
    let files = sources();
    let rank = |m: &[String]| {
        m.first()
            .and_then(|top| LAYERS.iter().position(|l| l == top))
    };
    let mut wrong = Vec::new();
    for (from, targets) in edges(&files) {
        let Some(from_rank) = rank(&from) else {
            continue; // lib.rs / main.rs
        };
        for to in targets {
            let Some(to_rank) = rank(&to) else { continue };
            if to_rank > from_rank {
                wrong.push(format!("{} imports {}", from.join("::"), to.join("::")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the data flow (docs/architecture.md):\n{}",
        wrong.join("\n")
    );
}

/// Tarjan's state: next index, (index, low link) per node, the stack, what is on the stack.
type Tarjan = (
    usize,
    BTreeMap<String, (usize, usize)>,
    Vec<String>,
    BTreeSet<String>,
);

/// Strongly connected components of the graph restricted to `nodes` (Tarjan, iterative enough
/// for the few dozen files of a folder).
fn cycles(
    nodes: &BTreeSet<String>,
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut Tarjan,
        out: &mut Vec<Vec<String>>,
    ) {
        let index = state.0;
        state.0 += 1;
        state.1.insert(n.to_string(), (index, index));
        state.2.push(n.to_string());
        state.3.insert(n.to_string());
        for w in edges.get(n).into_iter().flatten() {
            if !state.1.contains_key(w) {
                visit(w, edges, state, out);
                let wl = state.1[w].1;
                let e = state.1.get_mut(n).expect("visited");
                e.1 = e.1.min(wl);
            } else if state.3.contains(w) {
                let wi = state.1[w].0;
                let e = state.1.get_mut(n).expect("visited");
                e.1 = e.1.min(wi);
            }
        }
        let (i, low) = state.1[n];
        if i == low {
            let mut comp = Vec::new();
            while let Some(w) = state.2.pop() {
                state.3.remove(&w);
                let done = w == n;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                out.push(comp);
            }
        }
    }
    let mut state = (0, BTreeMap::new(), Vec::new(), BTreeSet::new());
    let mut out = Vec::new();
    for n in nodes {
        if !state.1.contains_key(n) {
            visit(n, edges, &mut state, &mut out);
        }
    }
    out
}

#[test]
fn no_import_cycles_between_files_of_a_folder() {
    let files = sources();
    let edges = edges(&files);
    let folders: BTreeSet<Vec<String>> = files
        .iter()
        .filter(|f| !f.module.is_empty())
        .map(|f| f.module[..f.module.len() - 1].to_vec())
        .collect();
    let mut found = Vec::new();
    for folder in folders {
        // The children of the folder; a module deeper down counts as its child on the way.
        let child = |m: &[String]| -> Option<String> {
            (m.len() > folder.len() && m[..folder.len()] == folder[..])
                .then(|| m[folder.len()].clone())
        };
        let mut nodes = BTreeSet::new();
        let mut sibling_edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &edges {
            let Some(a) = child(from) else { continue };
            nodes.insert(a.clone());
            for to in targets {
                if let Some(b) = child(to)
                    && b != a
                {
                    nodes.insert(b.clone());
                    sibling_edges.entry(a.clone()).or_default().insert(b);
                }
            }
        }
        for comp in cycles(&nodes, &sibling_edges) {
            let prefix = if folder.is_empty() {
                "crate".to_string()
            } else {
                folder.join("::")
            };
            found.push(format!("in {prefix}: {}", comp.join(" ↔ ")));
        }
    }
    ratchet(
        "import cycles between sibling files (move the shared types down)",
        &found,
        KNOWN_CYCLES,
    );
}

#[test]
fn source_files_stay_short() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|f| f.non_test_lines > MAX_NON_TEST_LINES)
        .map(|f| {
            f.path
                .strip_prefix(root)
                .unwrap_or(&f.path)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    ratchet(
        &format!(
            "files over {MAX_NON_TEST_LINES} lines outside tests (split them along their seams)"
        ),
        &long,
        KNOWN_LONG,
    );
}

#[test]
fn the_checker_sees_paths_groups_and_super() {
    let code = "use crate::model::{layer::Layer, Role};\nuse super::dbf::read;\nlet x = crate::io::load(a);";
    let paths = referenced_paths(
        &["io".into(), "shapefile".into(), "write".into()],
        false,
        code,
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    for want in [
        "model::layer::Layer",
        "model::Role",
        "io::shapefile::dbf::read",
        "io::load",
    ] {
        assert!(joined.iter().any(|j| j == want), "{want} not in {joined:?}");
    }
    let up = referenced_paths(
        &["app".into(), "map".into(), "cache".into()],
        false,
        "super::super::style::x",
    );
    assert_eq!(
        up,
        vec![vec!["app".to_string(), "style".into(), "x".into()]]
    );
    let (code, n) = strip(
        "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() { crate::x::y(); }\n}\nfn c() {}\n",
    );
    assert_eq!(n, 2);
    assert!(!code.contains("crate::x"));
}
